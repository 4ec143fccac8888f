package io.ferrite.engine.wal;

import io.ferrite.codecs.sbe.WalOp;
import org.agrona.DirectBuffer;

/**
 * Receives the records of a {@link Wal#replay} in sequence order.
 * <p>
 * Called on the thread that called {@code replay}. The buffers are views into the log's mapped file,
 * valid only for the duration of the call: copy what must outlive it.
 */
@FunctionalInterface
public interface WalRecordHandler
{
    /**
     * One intact record.
     *
     * @param sequence    of the record, from 1, without gaps.
     * @param tableId     the mutation applies to.
     * @param partitionId the mutation applies to.
     * @param op          what the record does.
     * @param key         buffer holding the item-format key.
     * @param keyOff      offset of the key in {@code key}.
     * @param keyLen      length of the key in bytes.
     * @param image       buffer holding the new item image (empty for a delete).
     * @param imageOff    offset of the image in {@code image}.
     * @param imageLen    length of the image in bytes.
     * @param timestampNs the writer passed to {@link Wal#append}.
     */
    void onRecord(
        long sequence,
        int tableId,
        int partitionId,
        WalOp op,
        DirectBuffer key,
        int keyOff,
        int keyLen,
        DirectBuffer image,
        int imageOff,
        int imageLen,
        long timestampNs);
}

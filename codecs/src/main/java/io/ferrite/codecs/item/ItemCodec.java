package io.ferrite.codecs.item;

import io.ferrite.codecs.error.FerriteException;
import io.ferrite.codecs.number.DecimalCodec;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.ferrite.codecs.item.ItemFormat.*;

/**
 * Converts between the convenience model ({@code Map<String, AttributeValue>}) and canonical item bytes.
 * Allocating by design; the hot path uses {@link ItemWriter} and {@link ItemFormat} directly.
 * <p>
 * Threading: stateless static methods, safe from any thread (each call to {@link #encode(Map)} uses its
 * own writer; {@link #encode(Map, ItemWriter)} uses the caller's).
 */
public final class ItemCodec
{
    private ItemCodec()
    {
    }

    /**
     * Write an item with a caller's writer, which is reset first.
     *
     * @param item   attributes by name.
     * @param writer to write with; holds the bytes afterwards in {@link ItemWriter#buffer()}.
     * @return length of the item in bytes.
     * @throws FerriteException if a name is invalid or nesting is too deep.
     */
    public static int encode(final Map<String, AttributeValue> item, final ItemWriter writer)
    {
        writer.reset();
        for (final Map.Entry<String, AttributeValue> entry : item.entrySet())
        {
            writer.name(entry.getKey());
            writeValue(entry.getValue(), writer);
        }
        return writer.finish();
    }

    /**
     * Encode an item to a new array.
     *
     * @param item attributes by name.
     * @return canonical item bytes.
     * @throws FerriteException if a name is invalid or nesting is too deep.
     */
    public static byte[] encode(final Map<String, AttributeValue> item)
    {
        final ItemWriter writer = new ItemWriter();
        final int length = encode(item, writer);
        final byte[] bytes = new byte[length];
        writer.buffer().getBytes(0, bytes);
        return bytes;
    }

    /**
     * Validate and decode item bytes.
     *
     * @param buf holding the item.
     * @param off of the item.
     * @param len of the item.
     * @return attributes in name-byte order.
     * @throws FerriteException if the bytes are not a valid item.
     */
    public static Map<String, AttributeValue> decode(final DirectBuffer buf, final int off, final int len)
    {
        ItemValidator.validate(buf, off, len, Integer.MAX_VALUE);
        return decodeEntries(buf, firstEntry(off), attributeCount(buf, off));
    }

    @SuppressWarnings("unchecked")
    private static void writeValue(final AttributeValue value, final ItemWriter writer)
    {
        switch (value.type())
        {
            case TYPE_S:
                writer.string(value.asString());
                break;
            case TYPE_N:
                writer.number(value.asNumber());
                break;
            case TYPE_B:
                writer.binary((byte[])value.rawValue());
                break;
            case TYPE_BOOL:
                writer.bool(value.asBoolean());
                break;
            case TYPE_NULL:
                writer.nul();
                break;
            case TYPE_M:
                writer.beginMap();
                for (final Map.Entry<String, AttributeValue> entry : value.asMap().entrySet())
                {
                    writer.name(entry.getKey());
                    writeValue(entry.getValue(), writer);
                }
                writer.endMap();
                break;
            case TYPE_L:
                writer.beginList();
                for (final AttributeValue element : value.asList())
                {
                    writeValue(element, writer);
                }
                writer.endList();
                break;
            case TYPE_SS:
                writer.beginStringSet();
                for (final String element : value.asStringSet())
                {
                    writer.string(element);
                }
                writer.endSet();
                break;
            case TYPE_NS:
                writer.beginNumberSet();
                for (final String element : value.asNumberSet())
                {
                    writer.number(element);
                }
                writer.endSet();
                break;
            case TYPE_BS:
                writer.beginBinarySet();
                for (final byte[] element : (List<byte[]>)value.rawValue())
                {
                    writer.binary(element);
                }
                writer.endSet();
                break;
            default:
                throw new IllegalArgumentException("unknown attribute type " + value.type());
        }
    }

    private static Map<String, AttributeValue> decodeEntries(final DirectBuffer buf, final int first, final int count)
    {
        final Map<String, AttributeValue> entries = new LinkedHashMap<>();
        int entryOff = first;
        for (int i = 0; i < count; i++)
        {
            final String name = buf.getStringWithoutLengthUtf8(nameOffset(entryOff), nameLength(buf, entryOff));
            final int valueOff = valueOffset(buf, entryOff);
            entries.put(name, decodeValue(buf, valueOff));
            entryOff = valueOff + valueLength(buf, valueOff);
        }
        return entries;
    }

    private static AttributeValue decodeValue(final DirectBuffer buf, final int valueOff)
    {
        final byte type = type(buf, valueOff);
        switch (type)
        {
            case TYPE_S:
                return AttributeValue.s(
                    buf.getStringWithoutLengthUtf8(payloadOffset(valueOff, type), payloadLength(buf, valueOff)));
            case TYPE_N:
                return AttributeValue.n(
                    DecimalCodec.toString(buf, payloadOffset(valueOff, type), payloadLength(buf, valueOff)));
            case TYPE_B:
            {
                final byte[] bytes = new byte[payloadLength(buf, valueOff)];
                buf.getBytes(payloadOffset(valueOff, type), bytes);
                return AttributeValue.b(bytes);
            }
            case TYPE_BOOL:
                return AttributeValue.bool(booleanValue(buf, valueOff));
            case TYPE_NULL:
                return AttributeValue.nul();
            case TYPE_M:
                return AttributeValue.m(decodeEntries(buf, firstChild(valueOff), containerCount(buf, valueOff)));
            case TYPE_L:
            {
                final int count = containerCount(buf, valueOff);
                final List<AttributeValue> elements = new ArrayList<>(count);
                int elementOff = firstChild(valueOff);
                for (int i = 0; i < count; i++)
                {
                    elements.add(decodeValue(buf, elementOff));
                    elementOff = nextListElement(buf, elementOff);
                }
                return AttributeValue.l(elements);
            }
            default:
                return decodeSet(buf, valueOff, type);
        }
    }

    private static AttributeValue decodeSet(final DirectBuffer buf, final int valueOff, final byte type)
    {
        final int count = containerCount(buf, valueOff);
        final List<String> texts = new ArrayList<>(count);
        final List<byte[]> bytes = new ArrayList<>(count);
        int elementOff = firstChild(valueOff);
        for (int i = 0; i < count; i++)
        {
            final int payloadOff = setElementPayloadOffset(type, elementOff);
            final int payloadLen = setElementPayloadLength(buf, type, elementOff);
            if (TYPE_SS == type)
            {
                texts.add(buf.getStringWithoutLengthUtf8(payloadOff, payloadLen));
            }
            else if (TYPE_NS == type)
            {
                texts.add(DecimalCodec.toString(buf, payloadOff, payloadLen));
            }
            else
            {
                final byte[] element = new byte[payloadLen];
                buf.getBytes(payloadOff, element);
                bytes.add(element);
            }
            elementOff = payloadOff + payloadLen;
        }
        return TYPE_SS == type ? AttributeValue.ss(texts) :
            TYPE_NS == type ? AttributeValue.ns(texts) : AttributeValue.bs(bytes);
    }
}

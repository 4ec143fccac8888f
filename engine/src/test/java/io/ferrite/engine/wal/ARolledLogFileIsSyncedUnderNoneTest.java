package io.ferrite.engine.wal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Under {@code none} nothing forces the log on the write path, and a sync (a checkpoint's) forced only the file being
 * written and the one the previous sync had forced. A file the log rolled past in between (it rolls hourly) was
 * never synced, although the sync is what the checkpoint relies on to cover every record before it, and recovery
 * takes a page lost before a synced record for corruption (or drops the synced records after it as never synced).
 */
class ARolledLogFileIsSyncedUnderNoneTest
{
    @TempDir
    Path directory;

    @Test
    void aSyncForcesEveryFileWrittenSinceTheLastOne() throws IOException
    {
        final SetTimeProvider clock = new SetTimeProvider(
            System.currentTimeMillis() * 1_000_000L - TimeUnit.HOURS.toNanos(4));
        final UnsafeBuffer key = new UnsafeBuffer(new byte[4096]);
        final UnsafeBuffer image = new UnsafeBuffer(new byte[8192]);
        try (Wal log = new Wal(new WalConfig().directory(directory).fsyncPolicy(FsyncPolicy.NONE).rollClock(clock)))
        {
            WalTestRecords.append(log, key, image, 1, 10);
            clock.advanceMillis(TimeUnit.HOURS.toMillis(1));
            WalTestRecords.append(log, key, image, 2, 10);
            clock.advanceMillis(TimeUnit.HOURS.toMillis(1));
            WalTestRecords.append(log, key, image, 3, 10);
            assertEquals(3, WalTestRecords.cycleFiles(directory).size());

            long before = log.forcesForTesting();
            log.sync();
            assertEquals(3, log.forcesForTesting() - before, "each of the three files written since the open");

            WalTestRecords.append(log, key, image, 4, 10);
            before = log.forcesForTesting();
            log.sync();
            assertEquals(1, log.forcesForTesting() - before, "the one file written since the last sync");

            clock.advanceMillis(TimeUnit.HOURS.toMillis(1));
            WalTestRecords.append(log, key, image, 5, 10);
            before = log.forcesForTesting();
            log.sync();
            assertEquals(2, log.forcesForTesting() - before, "the file left, with its tail, and the new one");

            before = log.forcesForTesting();
            log.sync();
            assertEquals(0, log.forcesForTesting() - before, "nothing written since");
        }
    }
}

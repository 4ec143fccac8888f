package io.ferrite.tools.chaos;

import io.ferrite.engine.api.Ferrite;
import io.ferrite.engine.config.EngineConfig;
import io.ferrite.engine.shard.ReturnValues;
import io.ferrite.engine.wal.FsyncPolicy;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The child JVM of {@link EmbeddedChaos}: opens Ferrite on the data directory (creating the chaos table only
 * if absent, so state accumulates across cycles), then writes through the embedded API until it is killed.
 * <p>
 * Protocol on stdout, one line per write, each flushed in a single {@code write} before the next step:
 * <pre>
 *   READY &lt;recovery report&gt;              after open
 *   INTENT &lt;PUT|UPDATE|DELETE&gt; &lt;key&gt; &lt;version&gt;   before the call: it may take effect from here on
 *   ACK &lt;PUT|UPDATE|DELETE&gt; &lt;key&gt; &lt;version&gt;      after the call returned: it must survive
 * </pre>
 * Versions are consecutive from {@code firstVersion}. An operation with no INTENT line was never started.
 * <p>
 * Arguments: data directory, fsync policy, first version, seed, checkpoint interval in records.
 * <p>
 * Single-threaded: the main thread owns the database.
 */
public final class EmbeddedChaosWriter
{
    private EmbeddedChaosWriter()
    {
    }

    /**
     * @param args data directory, fsync policy, first version, seed, checkpoint interval in records.
     */
    public static void main(final String[] args)
    {
        if (5 != args.length)
        {
            System.err.println("usage: EmbeddedChaosWriter <data-dir> <fsync> <first-version> <seed> " +
                "<checkpoint-interval-records>");
            System.exit(2);
        }
        final Path dataDir = Path.of(args[0]);
        final FsyncPolicy fsyncPolicy = FsyncPolicy.valueOf(args[1]);
        final long firstVersion = Long.parseLong(args[2]);
        final SplittableRandom random = new SplittableRandom(Long.parseLong(args[3]));
        final long checkpointIntervalRecords = Long.parseLong(args[4]);

        // The protocol owns stdout: anything else that prints goes to stderr.
        final PrintStream protocol = new PrintStream(
            new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 512), false, StandardCharsets.US_ASCII);
        System.setOut(System.err);

        final EngineConfig config = ChaosWorkload.engineConfig(dataDir, fsyncPolicy)
            .checkpointIntervalRecords(checkpointIntervalRecords);
        final Ferrite db = Ferrite.open(config);
        if (!db.listTables().contains(ChaosWorkload.TABLE))
        {
            db.createTable(ChaosWorkload.tableSpec());
        }
        emit(protocol, "READY " + EmbeddedChaos.describe(db.recoveryReport()));

        for (long version = firstVersion; ; version++)
        {
            final String key = "k" + random.nextInt(ChaosWorkload.KEY_SPACE);
            final int dice = random.nextInt(10);
            final ChaosWorkload.Op op = dice < 5 ? ChaosWorkload.Op.PUT :
                dice < 8 ? ChaosWorkload.Op.UPDATE : ChaosWorkload.Op.DELETE;
            final String suffix = op + " " + key + " " + version;

            emit(protocol, "INTENT " + suffix);
            switch (op)
            {
                case PUT:
                    db.putItem(ChaosWorkload.TABLE, ChaosWorkload.putItem(key, version));
                    break;

                case UPDATE:
                    db.updateItem(ChaosWorkload.TABLE, ChaosWorkload.key(key), ChaosWorkload.updateSet(version),
                        ChaosWorkload.updateRemove(version), null, ReturnValues.NONE);
                    break;

                default:
                    db.deleteItem(ChaosWorkload.TABLE, ChaosWorkload.key(key));
                    break;
            }
            emit(protocol, "ACK " + suffix);
        }
    }

    private static void emit(final PrintStream protocol, final String line)
    {
        protocol.print(line);
        protocol.print('\n');
        protocol.flush();
        if (protocol.checkError())
        {
            // The parent is gone: nobody can check what we acknowledge any more.
            System.exit(3);
        }
    }
}

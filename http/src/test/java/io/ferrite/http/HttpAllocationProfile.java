package io.ferrite.http;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the HTTP front's event loop allocates, per request and per operation: JFR's
 * {@code jdk.ObjectAllocationOutsideTLAB} events with stack traces, which with {@code -XX:-UseTLAB} are every
 * allocation, filtered to the event loop thread and attributed to the innermost frame's library that is neither the
 * JDK's nor Agrona's (Netty, Jackson, Ferrite's http module, the transport client): an Agrona or JDK method
 * allocating for Ferrite's code counts as Ferrite's. Not a test: a tool for decision 0011's breakdown.
 * <p>
 * Run (from the repo root, after {@code mvn -B -o -pl http -am test-compile}):
 * <pre>
 * java -XX:-UseTLAB -cp "http/target/test-classes:http/target/classes:transport/target/classes:engine/target/classes:codecs/target/classes:$(cat CP)" \
 *     $FLAGS io.ferrite.http.HttpAllocationProfile [requests per operation, default 2000] [stack lines, default 25]
 * </pre>
 * (CP from {@code mvn -B -o -q -pl http dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=CP};
 * FLAGS the parent pom's {@code ferrite.jvm.flags}; perf/README.md has the exact command.)
 */
public final class HttpAllocationProfile
{
    private static final String TARGET = "DynamoDB_20120810.";

    private HttpAllocationProfile()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int requests = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        final int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        final Path dir = Files.createTempDirectory("ferrite-http-alloc");
        try (HttpNodeFixture fixture = new HttpNodeFixture(dir);
            RawHttp http = new RawHttp(fixture.front.port()))
        {
            final long loop = fixture.front.eventLoopThreadIds()[0];
            check(http.exchange(TARGET + "CreateTable", "{\"TableName\":\"usertable\"," +
                "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}," +
                "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}]," +
                "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]," +
                "\"BillingMode\":\"PAY_PER_REQUEST\"}"));
            final String[] puts = new String[10];
            for (int i = 0; i < puts.length; i++)
            {
                puts[i] = RawHttp.request(TARGET + "PutItem",
                    "{\"TableName\":\"usertable\",\"Item\":" + HttpRequestPathAllocationTest.item(i) + "}");
                check(http.send(puts[i]).read());
            }
            final String get = RawHttp.request(TARGET + "GetItem",
                "{\"TableName\":\"usertable\",\"Key\":{\"pk\":{\"S\":\"user1000\"},\"sk\":{\"N\":\"3\"}}}");
            final String query = RawHttp.request(TARGET + "Query", "{\"TableName\":\"usertable\"," +
                "\"KeyConditionExpression\":\"pk = :p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"user1000\"}}," +
                "\"Limit\":5}");
            final Map<String, String> ops = new java.util.LinkedHashMap<>();
            ops.put("GetItem", get);
            ops.put("PutItem", puts[3]);
            ops.put("Query (Limit 5)", query);
            for (final Map.Entry<String, String> op : ops.entrySet())
            {
                for (int i = 0; i < 2_000; i++)
                {
                    check(http.send(op.getValue()).read());
                }
                final Path file = Files.createTempFile(dir, "alloc", ".jfr");
                try (Recording recording = new Recording())
                {
                    recording.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
                    recording.enable("jdk.ObjectAllocationInNewTLAB").withStackTrace();
                    recording.start();
                    for (int i = 0; i < requests; i++)
                    {
                        check(http.send(op.getValue()).read());
                    }
                    recording.stop();
                    recording.dump(file);
                }
                report(op.getKey(), file, loop, requests, top);
            }
        }
    }

    private static void check(final RawHttp.Response response)
    {
        if (200 != response.status())
        {
            throw new IllegalStateException(response.toString());
        }
    }

    private static void report(final String op, final Path file, final long loop, final int requests, final int top)
        throws Exception
    {
        final Map<String, long[]> byLibrary = new HashMap<>();
        final Map<String, long[]> bySite = new HashMap<>();
        long total = 0;
        for (final RecordedEvent event : RecordingFile.readAllEvents(file))
        {
            if (null == event.getThread() || event.getThread().getJavaThreadId() != loop)
            {
                continue;
            }
            final long size = event.getLong("allocationSize");
            total += size;
            final RecordedStackTrace stack = event.getStackTrace();
            final String type = event.getClass("objectClass").getName();
            String library = "jdk";
            final List<String> frames = new ArrayList<>();
            if (null != stack)
            {
                for (final RecordedFrame frame : stack.getFrames())
                {
                    final String cls = frame.getMethod().getType().getName();
                    if ("jdk".equals(library) && !cls.startsWith("java.") && !cls.startsWith("jdk.") &&
                        !cls.startsWith("sun.") && !cls.startsWith("org.agrona."))
                    {
                        library = cls.startsWith("io.netty.") ? "netty" : cls.startsWith("com.fasterxml.") ? "jackson" :
                            cls.startsWith("io.ferrite.http.") ? "ferrite-http" : cls.startsWith("io.ferrite.") ?
                            "ferrite-client" : cls;
                    }
                    if (frames.size() < 6)
                    {
                        frames.add(shortName(cls) + "." + frame.getMethod().getName() + ":" + frame.getLineNumber());
                    }
                }
            }
            add(byLibrary, library, size);
            add(bySite, library + "  " + type + "  <- " + String.join(" <- ", frames), size);
        }
        System.out.printf("%n== %s: %d bytes per request on the event loop (%d requests)%n", op, total / requests,
            requests);
        byLibrary.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
            .forEach(e -> System.out.printf("  %-16s %6d B/request %8.2f objects/request%n", e.getKey(),
                e.getValue()[0] / requests, e.getValue()[1] / (double)requests));
        bySite.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).limit(top)
            .forEach(e -> System.out.printf("  %6d B %6.2f/req  %s%n", e.getValue()[0] / requests,
                e.getValue()[1] / (double)requests, e.getKey()));
    }

    private static String shortName(final String cls)
    {
        return cls.substring(cls.lastIndexOf('.') + 1);
    }

    private static void add(final Map<String, long[]> map, final String key, final long size)
    {
        final long[] sums = map.computeIfAbsent(key, k -> new long[2]);
        sums[0] += size;
        sums[1]++;
    }
}

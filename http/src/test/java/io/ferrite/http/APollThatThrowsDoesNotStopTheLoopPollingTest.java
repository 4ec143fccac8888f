package io.ferrite.http;

import io.ferrite.transport.client.ClientConfig;
import io.ferrite.transport.client.FerriteClient;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The keep-alive timer polls the loop's node session with {@code scheduleAtFixedRate(dispatcher::pollOnce)}, and a
 * periodic task that throws is never run again: a throwable out of a request's callback (here a timeout answered
 * on a connection handler with no channel) stopped the session's keep-alives and polls for good. pollOnce logs it
 * and returns.
 */
final class APollThatThrowsDoesNotStopTheLoopPollingTest
{
    @TempDir
    Path dataDir;

    @Test
    void pollOnceSurvivesARequestCallbackThatThrows() throws Exception
    {
        final DefaultEventLoop loop = new DefaultEventLoop();
        final PollWaker waker = new PollWaker();
        try (HttpNodeFixture fixture = new HttpNodeFixture(dataDir);
            FerriteClient session = FerriteClient.connect(new ClientConfig().aeronDir(fixture.node.aeronDirectoryName())
                .embeddedDriver(false).requestChannel(fixture.node.ipcChannel())
                .requestStreamId(fixture.node.requestStreamId()).tableTimeoutNs(TimeUnit.MILLISECONDS.toNanos(1))))
        {
            final DynamoDispatcher dispatcher = new DynamoDispatcher(session, loop, new HttpConfig(), waker);
            final HttpCounters counters = HttpCounters.standalone();
            // Never added to a pipeline: answering on it throws (no channel context).
            final DynamoHttpHandler noChannel = new DynamoHttpHandler(dispatcher,
                new SlowRequestGuard(1_000, 1_000, 1_000, new StalledConnections(counters.closedWriteStall), counters),
                counters, 1 << 20);
            // One task holds the loop, so the failure is met by pollOnce here, not by the poll task it queued. A node's
            // first CreateTable takes far longer than the 1 ms table timeout: the client's timer fails it, and
            // the callback throws out of client.poll (an answer's callback throwing inside Aeron's fragment
            // handler is caught and printed there).
            final int polls = loop.submit(() ->
            {
                dispatcher.dispatch(noChannel, Operation.CreateTable, Unpooled.copiedBuffer(String.format(
                    EveryRequestIsAnsweredOrItsConnectionClosedTest.CREATE, "slow"), StandardCharsets.UTF_8));
                assertEquals(1, session.inFlight());
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                int count = 0;
                while (session.inFlight() > 0 && System.nanoTime() < deadline)
                {
                    dispatcher.pollOnce();
                    count++;
                }
                assertEquals(0, session.inFlight(), "the request timed out");
                dispatcher.pollOnce();
                return count;
            }).get(20, TimeUnit.SECONDS);
            assertTrue(polls > 0);
            // The loop stops before the client closes (try-with-resources): nothing polls a closed client.
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        finally
        {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            waker.close();
        }
    }
}

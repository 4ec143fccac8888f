package io.ferrite.cell;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Starts, inspects and stops a local cell: one child JVM per member ({@link CellMember}), 127.0.0.1 ports from a
 * base port, everything under one directory. What it needs to restart a member later (members, base port, the
 * java command, JVM options and classpath) is written to {@code DIR/cell.properties}, so {@code ferrite cell
 * stop}, {@code status}, {@code kill} and {@code restart} work from another process. Not thread-safe.
 */
public final class CellLauncher
{
    /** How long {@code start} waits for a leader by default. */
    public static final long DEFAULT_READY_TIMEOUT_MS = 60_000;
    /** A member whose status file is older than this is reported STALE. */
    static final long STALE_AFTER_MS = 2_000;

    private final Path dir;
    private final CellLayout layout;
    private final String java;
    private final List<String> jvmOptions;
    private final String classpath;

    private CellLauncher(
        final Path dir, final CellLayout layout, final String java, final List<String> jvmOptions, final String classpath)
    {
        this.dir = dir;
        this.layout = layout;
        this.java = java;
        this.jvmOptions = jvmOptions;
        this.classpath = classpath;
    }

    /**
     * Describes a new cell (writes {@code DIR/cell.properties}); starts nothing.
     *
     * @param dir        the cell directory (created).
     * @param members    how many members.
     * @param basePort   the first of {@code 10 * members} ports.
     * @param extraJvmOptions more options for every member JVM (e.g. {@code -Dferrite.cell.heartbeatTimeoutMs=...}).
     * @param classpath  the members' classpath, or null for this JVM's.
     * @return the launcher.
     */
    public static CellLauncher create(
        final Path dir, final int members, final int basePort, final List<String> extraJvmOptions, final String classpath)
    {
        final CellLayout layout = new CellLayout(dir, members, basePort);
        final List<String> options = new ArrayList<>(jvmFlags());
        options.add("-Xmx256m");
        options.add("-XX:+UseSerialGC");
        options.add("-Djava.io.tmpdir=" + dir.toAbsolutePath());
        options.addAll(extraJvmOptions);
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final CellLauncher launcher = new CellLauncher(
            dir, layout, java, options, null == classpath ? System.getProperty("java.class.path") : classpath);
        launcher.save();
        return launcher;
    }

    /**
     * Opens a cell described by {@link #create} (in this or another process).
     *
     * @param dir the cell directory.
     * @return the launcher.
     */
    public static CellLauncher open(final Path dir)
    {
        final Path file = dir.resolve("cell.properties");
        if (!Files.exists(file))
        {
            throw new IllegalArgumentException("no cell in " + dir + " (" + file + " is missing; start one with " +
                "'ferrite cell start --dir " + dir + "')");
        }
        final Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file))
        {
            properties.load(in);
            final CellLayout layout = new CellLayout(dir, Integer.parseInt(properties.getProperty("members")),
                Integer.parseInt(properties.getProperty("basePort")));
            final List<String> options = Files.readAllLines(dir.resolve("jvm.options"), StandardCharsets.UTF_8);
            final String classpath = Files.readString(dir.resolve("classpath.txt"), StandardCharsets.UTF_8).trim();
            return new CellLauncher(dir, layout, properties.getProperty("java"), options, classpath);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read the cell in " + dir, ex);
        }
    }

    private void save()
    {
        try
        {
            Files.createDirectories(dir);
            final String text = "members=" + layout.members() + "\nbasePort=" + layout.basePort() + "\ningressEndpoints=" +
                layout.ingressEndpoints() + "\njava=" + java.replace("\\", "\\\\") + "\n";
            Files.writeString(dir.resolve("cell.properties"), text, StandardCharsets.UTF_8);
            Files.write(dir.resolve("jvm.options"), jvmOptions, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("classpath.txt"), classpath + "\n", StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the cell description into " + dir, ex);
        }
    }

    /**
     * The JVM flags Ferrite needs (Agrona, Chronicle): the {@code ferrite.jvm.flags} property when set (tests), else
     * those this JVM was started with (the launcher script passes them).
     */
    static List<String> jvmFlags()
    {
        final String flags = System.getProperty("ferrite.jvm.flags");
        if (null != flags && !flags.isBlank())
        {
            return Arrays.stream(flags.trim().split("\\s+")).toList();
        }
        final List<String> inherited = new ArrayList<>();
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-") || arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc") ||
                arg.startsWith("-Dchronicle.") || arg.startsWith("-Djna."))
            {
                inherited.add(arg);
            }
        }
        return inherited;
    }

    /**
     * @return the cell's layout (ports, directories).
     */
    public CellLayout layout()
    {
        return layout;
    }

    /**
     * Starts every member and waits for a leader.
     *
     * @param readyTimeoutMs how long to wait for a leader.
     * @return the leader's member id.
     * @throws IllegalStateException when no leader is elected in time (the members are left running: stop them).
     */
    public int start(final long readyTimeoutMs) throws InterruptedException
    {
        for (int i = 0; i < layout.members(); i++)
        {
            final Optional<MemberStatus> running = MemberStatus.read(layout, i).filter(MemberStatus::alive);
            if (running.isPresent())
            {
                throw new IllegalStateException("member " + i + " of the cell in " + dir + " is already running (pid " +
                    running.get().pid() + "); stop it first");
            }
        }
        for (int i = 0; i < layout.members(); i++)
        {
            startMember(i);
        }
        return awaitLeader(readyTimeoutMs, layout.members());
    }

    /**
     * Starts one member (e.g. again, after it was killed, or after its directory was wiped).
     *
     * @return its pid.
     */
    public long startMember(final int member)
    {
        return startMember(member, List.of()).pid();
    }

    /**
     * Starts one member with more JVM options than the cell's (after them, so a {@code -D} here wins): tests of
     * members whose settings differ.
     *
     * @return its process.
     */
    Process startMember(final int member, final List<String> extraJvmOptions)
    {
        final Path memberDir = layout.memberDir(member);
        try
        {
            Files.createDirectories(memberDir);
            Files.deleteIfExists(memberDir.resolve("status.properties"));
            final List<String> command = new ArrayList<>();
            command.add(java);
            command.addAll(jvmOptions);
            command.addAll(extraJvmOptions);
            command.add("-cp");
            command.add(classpath);
            command.add(CellMember.class.getName());
            command.addAll(List.of("--dir", dir.toString(), "--member-id", Integer.toString(member),
                "--members", Integer.toString(layout.members()), "--base-port", Integer.toString(layout.basePort())));
            final Path log = memberDir.resolve("member.log");
            final Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                .start();
            Files.writeString(memberDir.resolve("member.pid"), process.pid() + "\n");
            return process;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start member " + member + " in " + memberDir, ex);
        }
    }

    private static java.io.File nullFile()
    {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    /**
     * Waits until a member is leader with its election closed, and {@code minMembers} members report status.
     *
     * @return the leader's member id.
     */
    public int awaitLeader(final long timeoutMs, final int minMembers) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() - deadline < 0)
        {
            int leader = -1;
            int reporting = 0;
            for (final MemberStatus status : status())
            {
                if (status.alive() && status.fresh())
                {
                    reporting++;
                    if ("LEADER".equals(status.role()) && "CLOSED".equals(status.electionState()))
                    {
                        leader = status.memberId();
                    }
                }
            }
            if (leader >= 0 && reporting >= minMembers)
            {
                return leader;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("no leader elected in the cell in " + dir + " within " + timeoutMs + " ms " +
            "(a leader, with its election closed, and " + minMembers + " members reporting); status: " + status() + "\n" +
            memberLogTails(20));
    }

    /**
     * @return the last {@code lines} lines of each member's {@code member.log} (why a member stopped or did not
     * start: a port it could not bind, a setting it refused), for error messages.
     */
    public String memberLogTails(final int lines)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < layout.members(); i++)
        {
            final Path log = layout.memberDir(i).resolve("member.log");
            text.append("--- member ").append(i).append(": ").append(log).append('\n');
            try
            {
                if (Files.exists(log))
                {
                    final List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
                    all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> text.append(l).append('\n'));
                }
            }
            catch (final IOException | UncheckedIOException ex)
            {
                text.append("(unreadable: ").append(ex).append(")\n");
            }
        }
        return text.toString();
    }

    /**
     * @return every member's status (from its status file and pid).
     */
    public List<MemberStatus> status()
    {
        final List<MemberStatus> all = new ArrayList<>();
        for (int i = 0; i < layout.members(); i++)
        {
            all.add(MemberStatus.read(layout, i).orElse(MemberStatus.absent(i, pidOf(i))));
        }
        return all;
    }

    long pidOf(final int member)
    {
        try
        {
            final Path file = layout.memberDir(member).resolve("member.pid");
            return Files.exists(file) ? Long.parseLong(Files.readString(file).trim()) : -1;
        }
        catch (final IOException | NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * SIGKILLs a member (for tests and game days) and waits for it to be gone.
     *
     * @return true if it was running.
     */
    public boolean kill(final int member)
    {
        final Optional<ProcessHandle> handle = ProcessHandle.of(pidOf(member));
        if (handle.isEmpty() || !handle.get().isAlive())
        {
            return false;
        }
        handle.get().destroyForcibly();
        handle.get().onExit().join();
        return true;
    }

    /**
     * Stops every member: SIGTERM, then SIGKILL after {@code graceMs}.
     *
     * @return how many were running.
     */
    public int stop(final long graceMs)
    {
        final List<ProcessHandle> running = new ArrayList<>();
        for (int i = 0; i < layout.members(); i++)
        {
            ProcessHandle.of(pidOf(i)).filter(ProcessHandle::isAlive).ifPresent(running::add);
        }
        running.forEach(ProcessHandle::destroy);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMs);
        for (final ProcessHandle handle : running)
        {
            final long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            try
            {
                handle.onExit().get(left, TimeUnit.MILLISECONDS);
            }
            catch (final Exception ex)
            {
                handle.destroyForcibly();
                handle.onExit().join();
            }
        }
        return running.size();
    }

    /**
     * Asks the leader for a snapshot and waits until every running member has taken one more.
     *
     * @return the snapshot count of each member afterwards.
     */
    public List<Long> snapshot(final long timeoutMs) throws InterruptedException
    {
        final List<Long> before = new ArrayList<>();
        final List<Integer> running = new ArrayList<>();
        for (int i = 0; i < layout.members(); i++)
        {
            final Optional<Properties> p = statusProperties(i);
            before.add(p.map(s -> Long.parseLong(s.getProperty("snapshots", "0"))).orElse(-1L));
            if (MemberStatus.read(layout, i).map(MemberStatus::alive).orElse(false))
            {
                running.add(i);
                try
                {
                    Files.writeString(layout.memberDir(i).resolve("snapshot.request"), "1\n");
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final List<Long> after = new ArrayList<>();
            boolean all = true;
            for (int i = 0; i < layout.members(); i++)
            {
                final long count = statusProperties(i).map(s -> Long.parseLong(s.getProperty("snapshots", "0"))).orElse(-1L);
                after.add(count);
                all &= !running.contains(i) || count > before.get(i);
            }
            if (all)
            {
                return after;
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("no snapshot on every running member within " + timeoutMs + " ms: before " +
                    before + " after " + after);
            }
            Thread.sleep(50);
        }
    }

    /**
     * @return member {@code i}'s status file as properties, if readable now.
     */
    public Optional<Properties> statusProperties(final int member)
    {
        final Path file = layout.memberDir(member).resolve("status.properties");
        final Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file))
        {
            p.load(in);
            return Optional.of(p);
        }
        catch (final IOException ex)
        {
            return Optional.empty();
        }
    }

    /**
     * Deletes a (stopped) member's directory: its log, snapshots and engine data. Started again, it is first seeded
     * with a peer's latest snapshot ({@link CellSeed}, the {@code seed.request} file left here) and then catches up
     * from the leader.
     */
    public void wipe(final int member)
    {
        if (ProcessHandle.of(pidOf(member)).map(ProcessHandle::isAlive).orElse(false))
        {
            throw new IllegalStateException("member " + member + " is running; kill or stop it before wiping it");
        }
        CellState.deleteRecursively(layout.memberDir(member));
        try
        {
            Files.createDirectories(layout.memberDir(member));
            Files.writeString(layout.memberDir(member).resolve(CellSeed.REQUEST_FILE), "1\n");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot mark wiped member " + member + " for seeding", ex);
        }
    }

    /**
     * A member as its status file and pid show it.
     *
     * @param memberId        the member.
     * @param pid             its process id, or -1.
     * @param alive           whether that process runs.
     * @param role            LEADER, FOLLOWER, CANDIDATE, or "-" when unknown.
     * @param electionState   Aeron Cluster's election state (CLOSED when no election runs).
     * @param leaderMemberId  the leader it follows, or -1.
     * @param commitPosition  the cluster's commit position as this member knows it.
     * @param appliedPosition the log position its service has applied.
     * @param ageMs           how old its status file is (ms), or -1.
     */
    public record MemberStatus(
        int memberId, long pid, boolean alive, String role, String electionState, int leaderMemberId,
        long commitPosition, long appliedPosition, long ageMs)
    {
        static MemberStatus absent(final int memberId, final long pid)
        {
            return new MemberStatus(memberId, pid, isAlive(pid), "-", "-", -1, -1, -1, -1);
        }

        static Optional<MemberStatus> read(final CellLayout layout, final int member)
        {
            final Path file = layout.memberDir(member).resolve("status.properties");
            if (!Files.exists(file))
            {
                return Optional.empty();
            }
            final Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file))
            {
                p.load(in);
                final long pid = Long.parseLong(p.getProperty("pid", "-1"));
                return Optional.of(new MemberStatus(member, pid, isAlive(pid), p.getProperty("role", "-"),
                    p.getProperty("electionState", "-"), Integer.parseInt(p.getProperty("leaderMemberId", "-1")),
                    Long.parseLong(p.getProperty("commitPosition", "-1")), Long.parseLong(p.getProperty("appliedPosition", "-1")),
                    System.currentTimeMillis() - Long.parseLong(p.getProperty("heartbeatEpochMs", "0"))));
            }
            catch (final IOException | RuntimeException ex)
            {
                return Optional.empty(); // being replaced, or torn: read again later
            }
        }

        private static boolean isAlive(final long pid)
        {
            return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }

        /**
         * @return true when the status file was written within the last two seconds.
         */
        public boolean fresh()
        {
            return ageMs >= 0 && ageMs < STALE_AFTER_MS;
        }

        /**
         * @return OK (serving), ELECTING (an election runs), STALE (alive but silent), DOWN (no process).
         */
        public String health()
        {
            if (!alive)
            {
                return "DOWN";
            }
            if (!fresh())
            {
                return "STALE";
            }
            return "CLOSED".equals(electionState) ? "OK" : "ELECTING";
        }
    }
}

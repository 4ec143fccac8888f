package io.ferrite.tools;

import io.ferrite.cell.CellClient;
import io.ferrite.cell.CellClientConfig;
import io.ferrite.cell.CellLauncher;
import io.ferrite.cell.CellLayout;
import io.ferrite.cell.CellResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * {@code ferrite cell start|status|stop|kill|restart|checksum}: a local replicated cell of member processes
 * (docs/decisions/0013-cells.md).
 */
final class CellCommand
{
    static final String USAGE = "cell start --dir D [--members 3] [--base-port P] [--timeout-ms MS] | " +
        "cell status --dir D | cell stop --dir D | cell kill --dir D --member I | " +
        "cell restart --dir D --member I [--wipe] | cell checksum --dir D | cell snapshot --dir D   a local replicated cell (one process " +
        "per member, 127.0.0.1 ports from --base-port, default " + CellLayout.DEFAULT_BASE_PORT + ")";

    private CellCommand()
    {
    }

    static int run(final String[] args) throws Exception
    {
        if (0 == args.length)
        {
            throw new IllegalArgumentException("cell needs a subcommand: start, status, stop, kill, restart, checksum or snapshot");
        }
        final String sub = args[0];
        final Options options = Options.parse(Arrays.copyOfRange(args, 1, args.length),
            new String[]{ "dir", "members", "base-port", "timeout-ms", "member" }, new String[]{ "wipe" });
        final String dirOption = options.string("dir", null);
        if (null == dirOption)
        {
            throw new IllegalArgumentException("option --dir is required");
        }
        final Path dir = Path.of(dirOption).toAbsolutePath();
        switch (sub)
        {
            case "start":
                return start(dir, options);
            case "status":
                return status(CellLauncher.open(dir));
            case "stop":
            {
                final int stopped = CellLauncher.open(dir).stop(10_000);
                System.out.println("ferrite cell: stopped " + stopped + " member(s) in " + dir);
                return 0;
            }
            case "kill":
            {
                final int member = member(options);
                final boolean killed = CellLauncher.open(dir).kill(member);
                System.out.println("ferrite cell: member " + member + (killed ? " SIGKILLed" : " was not running"));
                return 0;
            }
            case "restart":
            {
                final CellLauncher launcher = CellLauncher.open(dir);
                final int member = member(options);
                launcher.kill(member);
                if (options.flag("wipe"))
                {
                    launcher.wipe(member);
                }
                final long pid = launcher.startMember(member);
                System.out.println("ferrite cell: member " + member + " started" + (options.flag("wipe") ? " (wiped)" : "") +
                    " pid=" + pid);
                return 0;
            }
            case "checksum":
                return checksum(CellLauncher.open(dir));
            case "snapshot":
            {
                final List<Long> counts = CellLauncher.open(dir).snapshot(options.longValue("timeout-ms", 30_000));
                System.out.println("ferrite cell: snapshot taken; snapshots per member: " + counts);
                return 0;
            }
            default:
                throw new IllegalArgumentException("unknown cell subcommand '" + sub +
                    "' (start, status, stop, kill, restart, checksum, snapshot)");
        }
    }

    private static int member(final Options options)
    {
        final int member = options.intValue("member", -1);
        if (member < 0)
        {
            throw new IllegalArgumentException("option --member is required (a member id, 0 to members - 1)");
        }
        return member;
    }

    private static int start(final Path dir, final Options options) throws InterruptedException
    {
        final int members = options.intValue("members", 3);
        final int basePort = options.intValue("base-port", CellLayout.DEFAULT_BASE_PORT);
        final long timeoutMs = options.longValue("timeout-ms", CellLauncher.DEFAULT_READY_TIMEOUT_MS);
        final String javaOpts = System.getenv("FERRITE_CELL_JAVA_OPTS");
        final List<String> extra = null == javaOpts || javaOpts.isBlank() ? List.of() : Arrays.asList(javaOpts.trim().split("\\s+"));
        final CellLauncher launcher = CellLauncher.create(dir, members, basePort, extra, null);
        final String overlap = launcher.layout().ephemeralOverlapWarning(CellLayout.ephemeralPortRange());
        if (null != overlap)
        {
            System.err.println("ferrite cell: " + overlap);
        }
        final long startNs = System.nanoTime();
        final int leader;
        try
        {
            leader = launcher.start(timeoutMs);
        }
        catch (final IllegalStateException ex)
        {
            System.err.println("ferrite cell: " + ex.getMessage());
            launcher.stop(5_000);
            return 1;
        }
        System.out.println("ferrite: cell ready members=" + members + " leader=" + leader + " ingress=" +
            launcher.layout().ingressEndpoints() + " dir=" + dir + " in " + (System.nanoTime() - startNs) / 1_000_000 + " ms");
        return 0;
    }

    private static int status(final CellLauncher launcher)
    {
        final List<CellLauncher.MemberStatus> all = launcher.status();
        System.out.println("cell " + launcher.layout().cellDir() + ": " + launcher.layout().members() + " members, ingress " +
            launcher.layout().ingressEndpoints());
        int ok = 0;
        int leaders = 0;
        for (final CellLauncher.MemberStatus s : all)
        {
            System.out.printf("member %d  pid %-7d %-9s health=%-8s election=%-24s leader=%-2d commit=%-10d applied=%-10d" +
                " status-age=%s%n", s.memberId(), s.pid(), s.alive() ? s.role() : "(" + s.role() + ")", s.health(), s.electionState(), s.leaderMemberId(),
                s.commitPosition(), s.appliedPosition(), s.ageMs() < 0 ? "-" : s.ageMs() + "ms");
            ok += "OK".equals(s.health()) ? 1 : 0;
            leaders += "OK".equals(s.health()) && "LEADER".equals(s.role()) ? 1 : 0;
        }
        final boolean serving = 1 == leaders && ok > all.size() / 2;
        System.out.println(serving ? "cell: serving (a leader and a majority healthy)" : "cell: NOT serving (no healthy " +
            "leader with a majority)");
        return serving ? 0 : 1;
    }

    private static int checksum(final CellLauncher launcher) throws Exception
    {
        try (CellClient client = CellClient.connect(new CellClientConfig().ingressEndpoints(launcher.layout().ingressEndpoints())))
        {
            final CellResult result = client.checksum(10_000);
            if (!result.ok())
            {
                System.err.println("ferrite cell: checksum failed: " + result);
                return 1;
            }
            final String position = result.item().get("logPosition").asNumber();
            System.out.println("leader " + result.item().get("memberId").asNumber() + ": checksum=" +
                result.item().get("checksum").asNumber() + " items=" + result.item().get("items").asNumber() +
                " logPosition=" + position);
            Thread.sleep(1_000); // followers write theirs as they apply the same position
            boolean equal = true;
            for (int i = 0; i < launcher.layout().members(); i++)
            {
                final Path file = launcher.layout().memberDir(i).resolve("checksum.properties");
                final Properties p = new Properties();
                if (Files.exists(file))
                {
                    try (var in = Files.newInputStream(file))
                    {
                        p.load(in);
                    }
                }
                final boolean same = position.equals(p.getProperty("logPosition"));
                System.out.println("member " + i + ": " + (same ? "checksum=" + p.getProperty("checksum") + " items=" +
                    p.getProperty("items") : "not at logPosition " + position + " yet (" + p.getProperty("logPosition") + ")"));
                equal &= !same || result.item().get("checksum").asNumber().equals(p.getProperty("checksum"));
            }
            return equal ? 0 : 1;
        }
    }
}

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.*;

/** Per-operation latency of one random 1 KB read over 1 GiB: anonymous (direct buffer) or a mapped file. */
public class TailProbe { static final int LEN = Integer.getInteger("len", 64); static final int SAMPLE = Integer.getInteger("sample", 1);
    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int seconds = Integer.parseInt(args[1]);
        long size = 1L << 30;
        ByteBuffer[] chunks = new ByteBuffer[8];
        long chunk = size / 8;
        if (kind.equals("anon")) {
            for (int i = 0; i < 8; i++) chunks[i] = ByteBuffer.allocateDirect((int) chunk);
        } else {
            Path p = Paths.get(kind, "tailprobe.dat");
            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                f.setLength(size);
                for (int i = 0; i < 8; i++) chunks[i] = f.getChannel().map(FileChannel.MapMode.READ_WRITE, i * chunk, chunk);
            }
            p.toFile().deleteOnExit();
        }
        byte[] fill = new byte[1 << 20];
        for (int i = 0; i < fill.length; i++) fill[i] = (byte) i;
        for (ByteBuffer b : chunks) { for (int o = 0; o < b.capacity(); o += fill.length) { b.put(o, fill, 0, fill.length); } }
        byte[] dst = new byte[1024]; org.agrona.concurrent.UnsafeBuffer[] ub = new org.agrona.concurrent.UnsafeBuffer[8]; for (int i = 0; i < 8; i++) ub[i] = new org.agrona.concurrent.UnsafeBuffer(chunks[i]); org.agrona.concurrent.UnsafeBuffer udst = new org.agrona.concurrent.UnsafeBuffer(ByteBuffer.allocateDirect(1024)); boolean AGRONA = Boolean.getBoolean("agrona");
        long[] hist = new long[64 * 16];
        long seed = 42;
        long total = 0, sum = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long warm = System.nanoTime() + 2_000_000_000L;
        boolean warmed = false;
        while (true) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            long r = (seed >>> 20) % (size / 1024);
            int c = (int) (r / (chunk / 1024));
            int off = (int) ((r % (chunk / 1024)) * 1024);
            boolean sample = SAMPLE == 1 || ((seed >>> 7) & (SAMPLE - 1)) == 0;
            if (!sample) { chunks[c].get(off, dst, 0, LEN); sum += dst[7]; continue; }
            long t0 = System.nanoTime();
            if (AGRONA) { ub[c].getBytes(off, udst, 0, LEN); sum += udst.getByte(7); } else {
            chunks[c].get(off, dst, 0, LEN);
            sum += dst[7]; }
            long t1 = System.nanoTime();
            if (!warmed) { if (t1 > warm) { warmed = true; } continue; }
            long d = t1 - t0;
            int b = 63 - Long.numberOfLeadingZeros(Math.max(1, d));
            int sub = (int) ((d >>> Math.max(0, b - 4)) & 15);
            hist[b * 16 + sub]++;
            total++;
            if ((total & 1023) == 0 && t1 > end) break;
        }
        long[] q = new long[]{50, 90, 99, 999, 9999};
        double[] qs = {0.5, 0.9, 0.99, 0.999, 0.9999};
        StringBuilder out = new StringBuilder(kind + ": ops=" + total + " sum=" + sum);
        for (double qq : qs) {
            long target = (long) Math.ceil(total * qq), acc = 0;
            for (int i = 0; i < hist.length; i++) {
                acc += hist[i];
                if (acc >= target) { int b = i / 16, sub = i % 16; long v = b >= 4 ? ((16L + sub) << (b - 4)) : (1L << b); out.append(" p" + qq + "=" + v + "ns"); break; }
            }
        }
        System.out.println(out);
    }
}

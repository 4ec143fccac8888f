package io.ferrite.perf.latency;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code ferrite-perf report DIR [--out FILE]}: renders the runs saved in DIR (the harness's {@code *.json}
 * summaries and {@code *.hgrm} percentile distributions) as an HTML page ({@code DIR/report.html} unless
 * {@code --out}) with a table of the summaries and percentile-distribution plots drawn as PNG images
 * ({@code DIR/report-*.png}) with java.awt, headless. The x axis is HdrHistogram's plotter's:
 * {@code 1/(1-percentile)} on a log scale, so 90%, 99%, 99.9% ... are equally spaced and the tail gets the
 * room; the y axis is latency in microseconds, log scale, so a 2 us median and a 2 ms tail both read.
 */
final class Report
{
    private static final int WIDTH = 1100;
    private static final int HEIGHT = 620;
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;
    private static final Color[] COLOURS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf) };

    /** One curve: a name and (1/(1-percentile), microseconds) points. */
    record Curve(String name, double[] inverseTail, double[] micros)
    {
    }

    private Report()
    {
    }

    static int run(final String[] args)
    {
        if (args.length < 1 || args[0].startsWith("--"))
        {
            throw new IllegalArgumentException("report needs a directory: ferrite-perf report DIR [--out FILE]");
        }
        final Path dir = Path.of(args[0]);
        Path out = dir.resolve("report.html");
        for (int i = 1; i < args.length; i++)
        {
            if ("--out".equals(args[i]) && i + 1 < args.length)
            {
                out = Path.of(args[++i]);
            }
            else
            {
                throw new IllegalArgumentException("report takes DIR and --out FILE only, got '" + args[i] + "'");
            }
        }
        if (!Files.isDirectory(dir))
        {
            throw new IllegalArgumentException("report: " + dir + " is not a directory");
        }
        final List<Path> images = render(dir, out);
        System.out.println("wrote " + out + " and " + images.size() + " PNG image(s)");
        return 0;
    }

    /**
     * @param dir the runs.
     * @param out the HTML page to write.
     * @return the PNG images written.
     */
    static List<Path> render(final Path dir, final Path out)
    {
        final List<Path> hgrms = list(dir, ".hgrm");
        final List<Path> jsons = list(dir, ".json");
        if (hgrms.isEmpty() && jsons.isEmpty())
        {
            throw new IllegalArgumentException("report: no *.json or *.hgrm runs in " + dir);
        }
        final List<Curve> curves = new ArrayList<>();
        for (final Path hgrm : hgrms)
        {
            curves.add(readHgrm(hgrm));
        }
        final Path imageDir = out.toAbsolutePath().getParent();
        final List<Path> images = new ArrayList<>();
        final StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ferrite latency report")
            .append("</title>\n<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
            .append("td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}td:first-child,th:first-child,")
            .append("td:nth-child(2),td:nth-child(3){text-align:left}img{max-width:100%;border:1px solid #ddd}</style>")
            .append("</head><body>\n<h1>Ferrite latency report</h1>\n<p>Runs in <code>").append(escape(dir.toString()))
            .append("</code>. Latency is measured from each request's intended send time (open loop, coordinated ")
            .append("omission corrected). Plots: x = percentile on HdrHistogram's scale, 1/(1-percentile), log; ")
            .append("y = latency in microseconds, log.</p>\n");
        if (!curves.isEmpty())
        {
            final Path all = imageDir.resolve("report-all.png");
            draw(curves, "All runs: latency by percentile", all);
            images.add(all);
            html.append("<h2>All runs</h2>\n<p><img src=\"").append(all.getFileName()).append("\" alt=\"latency by ")
                .append("percentile, all runs\"></p>\n");
        }
        for (final Path json : jsons)
        {
            html.append("<h2>").append(escape(json.getFileName().toString())).append("</h2>\n").append(table(json));
            // The .hgrm files the same run wrote (--hgrm named after the --json file) get a plot of their own.
            final String stem = json.getFileName().toString().replaceFirst("\\.json$", "");
            final List<Curve> same = new ArrayList<>();
            for (final Curve curve : curves)
            {
                if (curve.name().equals(stem) || curve.name().startsWith(stem + "-"))
                {
                    same.add(curve);
                }
            }
            if (same.size() > 1)
            {
                final Path image = imageDir.resolve("report-run-" + stem.replaceAll("[^A-Za-z0-9._-]", "_") + ".png");
                draw(same, stem + ": latency by percentile", image);
                images.add(image);
                html.append("<p><img src=\"").append(image.getFileName()).append("\" alt=\"").append(escape(stem))
                    .append("\"></p>\n");
            }
        }
        if (curves.size() > 1)
        {
            html.append("<h2>Each run</h2>\n");
            for (final Curve curve : curves)
            {
                final Path image = imageDir.resolve("report-" + curve.name().replaceAll("[^A-Za-z0-9._-]", "_") + ".png");
                draw(List.of(curve), curve.name(), image);
                images.add(image);
                html.append("<p><img src=\"").append(image.getFileName()).append("\" alt=\"").append(escape(curve.name()))
                    .append("\"></p>\n");
            }
        }
        html.append("</body></html>\n");
        try
        {
            Files.writeString(out, html, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return images;
    }

    private static List<Path> list(final Path dir, final String suffix)
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().collect(Collectors.toList());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static String table(final Path json)
    {
        final List<Map<String, Object>> runs;
        try
        {
            runs = Json.parseArrayOfObjects(Files.readString(json));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final StringBuilder out = new StringBuilder("<table>\n<tr><th>target</th><th>workload</th><th>op</th>")
            .append("<th>rate/s</th><th>ops</th><th>errors</th><th>p50 us</th><th>p90 us</th><th>p99 us</th>")
            .append("<th>p99.9 us</th><th>p99.99 us</th><th>max us</th></tr>\n");
        for (final Map<String, Object> run : runs)
        {
            out.append("<tr><td>").append(escape(String.valueOf(run.get("target")))).append("</td><td>")
                .append(escape(String.valueOf(run.get("workload")))).append("</td><td>")
                .append(escape(String.valueOf(run.get("op")))).append("</td>");
            for (final String key : List.of("rate", "ops", "errors"))
            {
                out.append("<td>").append(run.get(key)).append("</td>");
            }
            for (final String key : List.of("p50_ns", "p90_ns", "p99_ns", "p999_ns", "p9999_ns", "max_ns"))
            {
                final Object value = run.get(key);
                out.append("<td>").append(value instanceof Long ? RunResult.us((Long)value) : "-").append("</td>");
            }
            out.append("</tr>\n");
        }
        return out.append("</table>\n").toString();
    }

    static Curve readHgrm(final Path hgrm)
    {
        final List<double[]> points = new ArrayList<>();
        try
        {
            for (final String line : Files.readAllLines(hgrm))
            {
                final String[] fields = line.trim().split("\\s+");
                if (4 != fields.length || line.trim().startsWith("#") || line.contains("Value"))
                {
                    continue;
                }
                points.add(new double[]{ Double.parseDouble(fields[3]), Double.parseDouble(fields[0]) });
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("report: " + hgrm + " is not an HdrHistogram percentile distribution", ex);
        }
        if (points.isEmpty())
        {
            throw new IllegalArgumentException("report: " + hgrm + " has no percentile rows");
        }
        final double[] x = new double[points.size()];
        final double[] y = new double[points.size()];
        for (int i = 0; i < x.length; i++)
        {
            x[i] = points.get(i)[0];
            y[i] = points.get(i)[1];
        }
        final String name = hgrm.getFileName().toString();
        return new Curve(name.substring(0, name.length() - ".hgrm".length()), x, y);
    }

    static void draw(final List<Curve> curves, final String title, final Path png)
    {
        double maxX = 100;
        double minY = Double.MAX_VALUE;
        double maxY = 0;
        for (final Curve curve : curves)
        {
            for (int i = 0; i < curve.micros().length; i++)
            {
                maxX = Math.max(maxX, curve.inverseTail()[i]);
                if (curve.micros()[i] > 0)
                {
                    minY = Math.min(minY, curve.micros()[i]);
                }
                maxY = Math.max(maxY, curve.micros()[i]);
            }
        }
        final int decadesX = (int)Math.ceil(Math.log10(maxX));
        final double lowY = Math.pow(10, Math.floor(Math.log10(Math.max(minY, 0.01))));
        final double highY = Math.pow(10, Math.ceil(Math.log10(Math.max(maxY, lowY * 10))));
        final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        final int plotW = WIDTH - LEFT - RIGHT;
        final int plotH = HEIGHT - TOP - BOTTOM;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int d = 0; d <= decadesX; d++)
        {
            final int px = LEFT + (int)Math.round(plotW * d / (double)decadesX);
            g.setColor(new Color(0xE0E0E0));
            g.drawLine(px, TOP, px, TOP + plotH);
            g.setColor(Color.DARK_GRAY);
            final String label = percentileLabel(d);
            g.drawString(label, px - g.getFontMetrics().stringWidth(label) / 2, TOP + plotH + 18);
        }
        for (double v = lowY; v <= highY * 1.0001; v *= 10)
        {
            final int py = TOP + plotH - (int)Math.round(plotH * Math.log10(v / lowY) / Math.log10(highY / lowY));
            g.setColor(new Color(0xE0E0E0));
            g.drawLine(LEFT, py, LEFT + plotW, py);
            g.setColor(Color.DARK_GRAY);
            final String label = v >= 1 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
            g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), py + 4);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotW, plotH);
        g.drawString("percentile (x = 1/(1-percentile), log scale)", LEFT + plotW / 2 - 120, HEIGHT - 25);
        g.rotate(-Math.PI / 2);
        g.drawString("latency, us (log scale)", -(TOP + plotH / 2 + 60), 25);
        g.rotate(Math.PI / 2);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, TOP - 18);

        g.setStroke(new BasicStroke(2f));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int c = 0; c < curves.size(); c++)
        {
            final Curve curve = curves.get(c);
            g.setColor(COLOURS[c % COLOURS.length]);
            // Past ten curves the colours repeat: the second ten are dashed.
            g.setStroke(c < COLOURS.length ? new BasicStroke(2f) :
                new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{ 8f, 5f }, 0f));
            int lastX = -1;
            int lastY = -1;
            for (int i = 0; i < curve.micros().length; i++)
            {
                final double x = Math.max(1, curve.inverseTail()[i]);
                final double y = Math.max(lowY, curve.micros()[i]);
                final int px = LEFT + (int)Math.round(plotW * Math.log10(x) / decadesX);
                final int py = TOP + plotH - (int)Math.round(plotH * Math.log10(y / lowY) / Math.log10(highY / lowY));
                if (lastX >= 0)
                {
                    g.drawLine(lastX, lastY, px, py);
                }
                lastX = px;
                lastY = py;
            }
            final int legendY = TOP + 20 + 18 * c;
            g.fillRect(LEFT + 15, legendY - 9, 18, 4);
            g.drawString(curve.name(), LEFT + 40, legendY - 3);
        }
        g.dispose();
        try
        {
            ImageIO.write(image, "png", png.toFile());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Decade d of 1/(1-p) is percentile 1 - 10^-d: 0%, 90%, 99%, 99.9%, ... */
    static String percentileLabel(final int decade)
    {
        switch (decade)
        {
            case 0:
                return "0%";
            case 1:
                return "90%";
            case 2:
                return "99%";
            default:
                return "99." + "9".repeat(decade - 2) + "%";
        }
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

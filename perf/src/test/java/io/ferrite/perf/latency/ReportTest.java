package io.ferrite.perf.latency;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report reads what the harness writes (JSON summary and HdrHistogram's .hgrm) and renders a page whose
 * images exist and decode; a directory without runs is an error that says so.
 */
class ReportTest
{
    @Test
    void rendersPageAndDecodablePlotsFromSavedRuns(@TempDir final Path dir) throws Exception
    {
        System.setProperty("java.awt.headless", "true");
        final RunResult run = new RunResult("embedded", "ycsb-a", 1000);
        final Recorder recorder = new Recorder(() -> 0);
        for (int i = 1; i <= 10_000; i++)
        {
            recorder.success(Op.GET, -1000L * i);
            recorder.success(Op.PUT, -2000L * i);
        }
        run.add(recorder, 0);
        run.writeHgrm(Op.GET, dir.resolve("run-get.hgrm"));
        run.writeHgrm(Op.PUT, dir.resolve("run-put.hgrm"));
        final StringBuilder json = new StringBuilder("[\n");
        run.appendJson(json, true);
        Files.writeString(dir.resolve("run.json"), json.append("\n]\n"));

        final Path page = dir.resolve("report.html");
        final List<Path> images = Report.render(dir, page);

        assertEquals(4, images.size(), "plots of all runs, of run.json's runs, and one per run: " + images);
        for (final Path image : images)
        {
            final BufferedImage decoded = ImageIO.read(image.toFile());
            assertNotNull(decoded, image + " is not a PNG");
            assertEquals(1100, decoded.getWidth());
        }
        final String html = Files.readString(page);
        assertTrue(html.contains("<img src=\"report-all.png\"") && html.contains("<img src=\"report-run-run.png\"") &&
            html.contains("<td>ycsb-a</td>"), html);
        final Report.Curve curve = Report.readHgrm(dir.resolve("run-get.hgrm"));
        assertEquals(10_000.0, curve.micros()[curve.micros().length - 1], 10.0, "max of the GET curve (10 ms), us");
        assertEquals("99.99%", Report.percentileLabel(4));
    }

    @Test
    void directoryWithoutRunsIsRejected(@TempDir final Path dir)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Report.render(dir, dir.resolve("report.html")));
        assertTrue(ex.getMessage().contains("no *.json or *.hgrm"), ex.getMessage());
    }
}

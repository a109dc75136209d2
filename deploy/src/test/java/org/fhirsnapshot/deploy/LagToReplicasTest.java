package org.fhirsnapshot.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.BasicStroke;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.Test;

/**
 * The lag-to-replicas curve of the fetch-worker ScaledObject of each overlay, from its own parameters (see
 * {@link LagToReplicas}): checked, and written as a table (target/lag-to-replicas.md) and a chart
 * (target/lag-to-replicas.png) for docs/operations.md.
 */
class LagToReplicasTest {

    @Test
    void idleIsZeroAnyLagWakesAWorkerAndTheCurveStopsAtThePartitions() throws IOException {
        StringBuilder table = new StringBuilder();
        XYSeriesCollection chart = new XYSeriesCollection();
        long widest = 0;
        List<LagToReplicas> curves = new ArrayList<>();
        for (String overlay : Manifests.OVERLAYS) {
            LagToReplicas curve = LagToReplicas.of(Manifests.overlay(overlay));
            curves.add(curve);
            widest = Math.max(widest, curve.saturationLag());
            assertThat(curve.replicas(0)).as("%s: no lag, no worker (after the cooldown)", overlay).isZero();
            assertThat(curve.replicas(1)).as("%s: one waiting instance wakes a worker", overlay).isEqualTo(1);
            assertThat(curve.replicas(curve.lagThreshold())).isEqualTo(1);
            assertThat(curve.replicas(curve.lagThreshold() + 1)).isEqualTo(Math.min(2, curve.maxReplicas()));
            assertThat(curve.replicas(curve.saturationLag())).isEqualTo(Math.min(curve.maxReplicas(),
                    curve.partitions()));
            assertThat(curve.replicas(1_000_000_000L)).isEqualTo(Math.min(curve.maxReplicas(), curve.partitions()));
            for (long lag = 0; lag < 3 * curve.saturationLag(); lag++) {
                assertThat(curve.replicas(lag + 1)).isGreaterThanOrEqualTo(curve.replicas(lag));
            }
        }
        long end = widest + widest / 4;
        TreeSet<Long> lags = new TreeSet<>(List.of(0L, 1L, 50L, 10_000L, 1_000_000L));
        for (LagToReplicas curve : curves) {
            for (long step = curve.lagThreshold(); step <= curve.saturationLag(); step += curve.lagThreshold()) {
                lags.add(step);
                lags.add(step + 1);
            }
        }
        table.append("| lag (instances waiting) |");
        for (int i = 0; i < curves.size(); i++) {
            LagToReplicas c = curves.get(i);
            table.append(String.format(" %s replicas (lagThreshold %d, max %d, %d partitions) |",
                    Manifests.OVERLAYS.get(i), c.lagThreshold(), c.maxReplicas(), c.partitions()));
        }
        table.append("\n| ---: |").append(" ---: |".repeat(curves.size())).append('\n');
        for (long lag : lags) {
            table.append("| ").append(String.format("%,d", lag)).append(" |");
            for (LagToReplicas curve : curves) {
                table.append(' ').append(curve.replicas(lag)).append(" |");
            }
            table.append('\n');
        }
        for (int i = 0; i < curves.size(); i++) {
            XYSeries series = new XYSeries(Manifests.OVERLAYS.get(i));
            for (long lag = 0; lag <= end; lag++) {
                series.add(lag, curves.get(i).replicas(lag));
            }
            chart.addSeries(series);
        }
        Path target = Manifests.deployDir().resolve("target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("lag-to-replicas.md"), table.toString());
        JFreeChart figure = ChartFactory.createXYLineChart(
                "fetch-worker replicas KEDA asks for, by consumer-group lag of pending-resource",
                "lag of group fetch-worker (messages)", "replicas", chart, PlotOrientation.VERTICAL, true, false,
                false);
        XYPlot plot = figure.getXYPlot();
        XYStepRenderer renderer = new XYStepRenderer();
        renderer.setAutoPopulateSeriesStroke(false);
        renderer.setSeriesStroke(0, new BasicStroke(4f));
        // The second overlay dashed on top: where the curves coincide (small lags) both stay visible.
        renderer.setSeriesStroke(1, new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[]{8f, 6f}, 0f));
        plot.setRenderer(renderer);
        plot.setSeriesRenderingOrder(org.jfree.chart.plot.SeriesRenderingOrder.FORWARD);
        plot.setBackgroundPaint(java.awt.Color.WHITE);
        plot.setDomainGridlinePaint(java.awt.Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(java.awt.Color.LIGHT_GRAY);
        ChartUtils.saveChartAsPNG(target.resolve("lag-to-replicas.png").toFile(), figure, 1000, 500);
        assertThat(target.resolve("lag-to-replicas.png")).isNotEmptyFile();
    }
}

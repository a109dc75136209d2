package org.fhirsnapshot.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;

/** A horizontal bar chart of benchmark figures, written as a PNG for docs/benchmarks.md. */
final class BenchmarkChart {

    /** One bar group: an operation and its figures, one per series. */
    record Bar(String operation, List<Double> values) {
    }

    private BenchmarkChart() {
    }

    static void write(Path png, String title, String axis, List<String> series, List<Bar> bars) throws IOException {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Bar bar : bars) {
            for (int i = 0; i < series.size(); i++) {
                data.addValue(bar.values().get(i), series.get(i), bar.operation());
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(title, null, axis, data, PlotOrientation.HORIZONTAL, true,
                false, false);
        Files.createDirectories(png.toAbsolutePath().getParent());
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 120 + 70 * bars.size());
    }
}

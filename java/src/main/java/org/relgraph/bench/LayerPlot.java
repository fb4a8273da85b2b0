package org.relgraph.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.relgraph.io.ChartFiles;
import org.relgraph.nn.ExecutionMode;

/**
 * The plot of {@code relgraph bench layers --plot DIR}: time of a layer's step (forward,
 * backward-data and weight gradient) against block density, one chart per batch ({@code
 * DIR/layers_step_b<batch>.png} and {@code .svg}), log-scale time; one colour per width, one line
 * style per backend (dense is the single point at density 1).
 */
public final class LayerPlot {
  private static final Color[] COLOURS = {
    new Color(0x1f77b4),
    new Color(0xd62728),
    new Color(0x2ca02c),
    new Color(0x9467bd),
    new Color(0xff7f0e),
    new Color(0x8c564b),
    new Color(0x17becf),
    new Color(0x7f7f7f)
  };

  private LayerPlot() {}

  /** Writes one chart per batch of the step rows; returns the files written (PNG and SVG). */
  public static List<Path> write(List<LayerBench.Row> rows, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(dir);
    String step = LayerBench.Op.STEP.label();
    TreeSet<Integer> batches = new TreeSet<>();
    TreeSet<Integer> widths = new TreeSet<>();
    for (LayerBench.Row r : rows) {
      if (r.op().equals(step)) {
        batches.add(r.batch());
        widths.add(r.width());
      }
    }
    List<Path> written = new ArrayList<>();
    for (int batch : batches) {
      XYChart chart =
          new XYChartBuilder()
              .width(900)
              .height(650)
              .title(
                  String.format(
                      Locale.ROOT,
                      "Relational layer, forward + backward, %d nodes, batch %d",
                      LayerBench.NODES,
                      batch))
              .xAxisTitle("block density (existing blocks / all blocks)")
              .yAxisTitle("time per step (ms, log scale)")
              .build();
      XYStyler s = chart.getStyler();
      s.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      s.setYAxisLogarithmic(true);
      s.setYAxisLogarithmicDecadeOnly(false);
      s.setXAxisMin(0.0);
      s.setXAxisMax(1.05);
      s.setMarkerSize(8);
      s.setChartBackgroundColor(Color.WHITE);
      s.setPlotBackgroundColor(Color.WHITE);
      s.setLegendPosition(Styler.LegendPosition.OutsideE);
      int c = 0;
      for (int width : widths) {
        Color colour = COLOURS[c++ % COLOURS.length];
        for (ExecutionMode mode : ExecutionMode.values()) {
          List<LayerBench.Row> pts = new ArrayList<>();
          for (LayerBench.Row r : rows) {
            if (r.op().equals(step)
                && r.batch() == batch
                && r.width() == width
                && r.backend().equals(mode.label())) {
              pts.add(r);
            }
          }
          if (pts.isEmpty()) {
            continue;
          }
          pts.sort(Comparator.comparingDouble(LayerBench.Row::density));
          double[] x = pts.stream().mapToDouble(LayerBench.Row::density).toArray();
          double[] y = pts.stream().mapToDouble(LayerBench.Row::ms).toArray();
          XYSeries series = chart.addSeries(mode.label() + " w=" + width, x, y);
          series.setLineColor(colour);
          series.setMarkerColor(colour);
          series.setMarker(marker(mode));
          series.setLineStyle(line(mode));
        }
      }
      Path base = dir.resolve("layers_step_b" + batch);
      ChartFiles.save(chart, base);
      written.add(dir.resolve("layers_step_b" + batch + ".png"));
      written.add(dir.resolve("layers_step_b" + batch + ".svg"));
    }
    return written;
  }

  private static Marker marker(ExecutionMode mode) {
    return switch (mode) {
      case DENSE -> SeriesMarkers.DIAMOND;
      case MASKED -> SeriesMarkers.SQUARE;
      case BLOCKSPARSE -> SeriesMarkers.CIRCLE;
    };
  }

  private static BasicStroke line(ExecutionMode mode) {
    return switch (mode) {
      case DENSE -> SeriesLines.NONE;
      case MASKED -> SeriesLines.DASH_DASH;
      case BLOCKSPARSE -> SeriesLines.SOLID;
    };
  }
}

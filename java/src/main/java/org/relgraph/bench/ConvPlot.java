package org.relgraph.bench;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.relgraph.io.ChartFiles;

/**
 * The plot of {@code relgraph bench convs --plot DIR}: one chart per kernel and batch ({@code
 * DIR/convs_k<kernel>_b<batch>.png} and {@code .svg}), each configuration's rows as their time over
 * its baseline's (the faster dense convolution at the stage's width), log scale, against the stages
 * in run order (their names on the axis).
 */
public final class ConvPlot {
  /** The series, in legend order: backend, at the stage's width or the matched one. */
  private record Series(String backend, boolean atShapeWidth, String name, Color colour) {}

  private static final List<Series> SERIES =
      List.of(
          new Series(ConvBench.ONEDNN, true, "onednn-conv (stage width)", new Color(0x7f7f7f)),
          new Series("dense", true, "dense im2col+sgemm (stage width)", new Color(0x1f77b4)),
          new Series("blocksparse", false, "blocksparse (matched width)", new Color(0xd62728)),
          new Series("masked", false, "masked (matched width)", new Color(0xff7f0e)),
          new Series("dense", false, "dense (matched width)", new Color(0x2ca02c)));

  private ConvPlot() {}

  /** Writes the charts; returns the files written (PNG and SVG). */
  public static List<Path> write(List<ConvBench.Row> rows, Path dir) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Files.createDirectories(dir);
    TreeSet<Integer> kernels = new TreeSet<>();
    TreeSet<Integer> batches = new TreeSet<>();
    for (ConvBench.Row r : rows) {
      kernels.add(r.kernel());
      batches.add(r.batch());
    }
    List<Path> written = new ArrayList<>();
    for (int kernel : kernels.descendingSet()) {
      for (int batch : batches) {
        List<ConvBench.Shape> shapes = new ArrayList<>();
        for (ConvBench.Row r : rows) {
          if (r.kernel() == kernel && r.batch() == batch && !shapes.contains(r.shape())) {
            shapes.add(r.shape());
          }
        }
        if (shapes.isEmpty()) {
          continue;
        }
        XYChart chart = chart(rows, shapes, kernel, batch);
        String name = "convs_k" + kernel + "_b" + batch;
        ChartFiles.save(chart, dir.resolve(name));
        written.add(dir.resolve(name + ".png"));
        written.add(dir.resolve(name + ".svg"));
      }
    }
    return written;
  }

  private static XYChart chart(
      List<ConvBench.Row> rows, List<ConvBench.Shape> shapes, int kernel, int batch) {
    XYChart chart =
        new XYChartBuilder()
            .width(1150)
            .height(600)
            .title(
                String.format(
                    Locale.ROOT,
                    "%dx%d convolutions, forward, batch %d: time over the dense baseline",
                    kernel,
                    kernel,
                    batch))
            .xAxisTitle(stageNames(shapes))
            .yAxisTitle("time / baseline time (log scale)")
            .build();
    XYStyler s = chart.getStyler();
    s.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    s.setYAxisLogarithmic(true);
    s.setYAxisLogarithmicDecadeOnly(false);
    s.setMarkerSize(8);
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setLegendPosition(Styler.LegendPosition.OutsideS);
    s.setXAxisMin(0.75);
    s.setXAxisMax(shapes.size() + 0.25);
    s.setXAxisTickMarkSpacingHint(40);
    s.setXAxisDecimalPattern("0");
    for (Series series : SERIES) {
      List<Double> xs = new ArrayList<>();
      List<Double> ys = new ArrayList<>();
      for (int i = 0; i < shapes.size(); i++) {
        ConvBench.Row row = find(rows, shapes.get(i), kernel, batch, series);
        double base = baselineMs(rows, shapes.get(i), kernel, batch);
        if (row != null && base > 0) {
          xs.add(i + 1.0);
          ys.add(row.ms() / base);
        }
      }
      if (xs.isEmpty()) {
        continue;
      }
      XYSeries xy = chart.addSeries(series.name(), xs, ys);
      xy.setLineColor(series.colour());
      xy.setMarkerColor(series.colour());
      xy.setMarker(series.atShapeWidth() ? SeriesMarkers.DIAMOND : SeriesMarkers.CIRCLE);
      xy.setLineStyle(series.atShapeWidth() ? SeriesLines.DASH_DASH : SeriesLines.SOLID);
    }
    return chart;
  }

  /** {@code stage (channels@pixels): 1 cifar 256@8, 2 resnet34 512@7}. */
  private static String stageNames(List<ConvBench.Shape> shapes) {
    StringBuilder b = new StringBuilder("stage (channels@pixels):");
    for (int i = 0; i < shapes.size(); i++) {
      ConvBench.Shape sh = shapes.get(i);
      b.append(i == 0 ? " " : ", ")
          .append(i + 1)
          .append(' ')
          .append(sh.net())
          .append(' ')
          .append(sh.channels())
          .append('@')
          .append(sh.size());
    }
    return b.toString();
  }

  private static ConvBench.Row find(
      List<ConvBench.Row> rows, ConvBench.Shape shape, int kernel, int batch, Series series) {
    for (ConvBench.Row r : rows) {
      if (r.shape().equals(shape)
          && r.kernel() == kernel
          && r.batch() == batch
          && r.backend().equals(series.backend())
          && (r.width() == shape.channels()) == series.atShapeWidth()) {
        return r;
      }
    }
    return null;
  }

  /** The faster of the dense rows at the stage's width, or 0 when there is none. */
  private static double baselineMs(
      List<ConvBench.Row> rows, ConvBench.Shape shape, int kernel, int batch) {
    double best = 0;
    for (ConvBench.Row r : rows) {
      if (r.shape().equals(shape)
          && r.kernel() == kernel
          && r.batch() == batch
          && r.width() == shape.channels()
          && (r.backend().equals(ConvBench.ONEDNN) || r.backend().equals("dense"))
          && (best == 0 || r.ms() < best)) {
        best = r.ms();
      }
    }
    return best;
  }
}

package org.relgraph.space;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.relgraph.io.ChartFiles;

/**
 * The coverage scatter plot of the paper's Figure 3: clustering coefficient C on x, average path
 * length L on y, one colour per generator, written as PNG and SVG.
 */
public final class CoveragePlot {
  private final String title;
  private final double lMin;
  private final double lMax;
  private final Map<String, List<double[]>> series = new LinkedHashMap<>();

  /** A plot of the window C in [0, 1], L in [lMin, lMax]; points outside it are not drawn. */
  public CoveragePlot(String title, double lMin, double lMax) {
    this.title = title;
    this.lMin = lMin;
    this.lMax = lMax;
  }

  /** Adds a point to the named series (NaN points, disconnected graphs, are skipped). */
  public void add(String seriesName, double clustering, double pathLength) {
    if (Double.isNaN(clustering) || Double.isNaN(pathLength)) {
      return;
    }
    if (pathLength < lMin || pathLength > lMax) {
      return;
    }
    series
        .computeIfAbsent(seriesName, s -> new ArrayList<>())
        .add(new double[] {clustering, pathLength});
  }

  /** Writes {@code base}.png and {@code base}.svg. */
  public void write(Path base) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(700)
            .title(title)
            .xAxisTitle("clustering coefficient C")
            .yAxisTitle("average path length L")
            .build();
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setMarkerSize(4);
    chart.getStyler().setXAxisMin(0.0);
    chart.getStyler().setXAxisMax(1.0);
    chart.getStyler().setYAxisMin(lMin);
    chart.getStyler().setYAxisMax(lMax);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
    for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
      List<double[]> pts = e.getValue();
      double[] x = new double[pts.size()];
      double[] y = new double[pts.size()];
      for (int i = 0; i < pts.size(); i++) {
        x[i] = pts.get(i)[0];
        y[i] = pts.get(i)[1];
      }
      XYSeries s = chart.addSeries(e.getKey() + " (" + pts.size() + ")", x, y);
      s.setMarker(SeriesMarkers.CIRCLE);
    }
    ChartFiles.save(chart, base);
  }
}

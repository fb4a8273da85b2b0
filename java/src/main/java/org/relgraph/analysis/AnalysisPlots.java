package org.relgraph.analysis;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Annotation;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.relgraph.analysis.SweetSpot.Bin;
import org.relgraph.analysis.SweetSpot.Graph;
import org.relgraph.analysis.SweetSpot.Mode;
import org.relgraph.analysis.SweetSpot.Result;
import org.relgraph.io.ChartFiles;

/** The analysis figures, each written as PNG and SVG. */
public final class AnalysisPlots {
  /** Reversed viridis: low error bright yellow, high error dark purple. */
  private static final Color[] PALETTE = {
    new Color(0xfd, 0xe7, 0x25),
    new Color(0x5e, 0xc9, 0x62),
    new Color(0x21, 0x91, 0x8c),
    new Color(0x3b, 0x52, 0x8b),
    new Color(0x44, 0x01, 0x54)
  };

  private static final Color MARK = new Color(0xd6, 0x27, 0x28);
  private static final BasicStroke DASHED =
      new BasicStroke(
          2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f}, 0f);
  private static final Color KEPT = new Color(0xe0, 0xe0, 0xe0);
  private static final int LEVELS = 6;

  private AnalysisPlots() {}

  /**
   * The heat map of mean error over the (C, L) bins (the paper's Fig. 4f) with the sweet-spot
   * rectangle, the best bin (per-bin mode) or the graphs and the best graph (per-graph mode).
   * Colours run from the lowest bin mean to the 95th percentile of the bin means; higher means take
   * the darkest colour.
   */
  public static void heatMap(Path base, String title, Result r) throws IOException {
    heatMap(base, title, r, List.of());
  }

  /**
   * A named sequence of points on the (C, L) plane, drawn as a line through circles, e.g. the
   * graphs extracted from one model's snapshots at one average degree. Points without a path length
   * (disconnected graphs) are left out.
   *
   * @param name the legend's label
   * @param clustering C of each point
   * @param pathLength L of each point (NaN: not drawn)
   */
  public record Trail(String name, double[] clustering, double[] pathLength) {}

  private static final Color[] TRAIL_COLOURS = {
    new Color(0xd6, 0x27, 0x28),
    new Color(0x1f, 0x77, 0xb4),
    Color.BLACK,
    new Color(0xff, 0x7f, 0x0e),
    new Color(0x8c, 0x56, 0x4b),
    new Color(0xe3, 0x77, 0xc2)
  };

  /** {@link #heatMap(Path, String, Result)} with trails drawn over it. */
  public static void heatMap(Path base, String title, Result r, List<Trail> trails)
      throws IOException {
    heatMap(base, title, r, trails, null);
  }

  /** A graph drawn on the (C, L) plane with its name beside it, e.g. a brain network. */
  public record Named(String name, double clustering, double pathLength) {}

  /**
   * What a heat map shows besides its own data: named graphs (points with labels) and another
   * analysis's sweet spot (a dashed rectangle).
   *
   * @param named graphs drawn with their names; those without an L are left out
   * @param clustering the other sweet spot's C range, or null for none
   * @param pathLength the other sweet spot's L range
   * @param label the other sweet spot's legend label
   */
  public record Overlay(
      List<Named> named, SweetSpot.Range clustering, SweetSpot.Range pathLength, String label) {}

  private static final Color REFERENCE = new Color(0x1f, 0x77, 0xb4);

  /** {@link #heatMap(Path, String, Result, List)} with an overlay (null for none). */
  public static void heatMap(Path base, String title, Result r, List<Trail> trails, Overlay overlay)
      throws IOException {
    List<Bin> bins = r.bins();
    double[] means = bins.stream().mapToDouble(b -> b.errors().mean()).sorted().toArray();
    double lo = means[0];
    double hi = means[(int) Math.floor(0.95 * (means.length - 1))];
    if (hi <= lo) {
      hi = means[means.length - 1] > lo ? means[means.length - 1] : lo + 1e-9;
    }
    double low = lo;
    double high = hi;
    XYChart chart = planeChart(title);
    // legend entries only: their points lie outside the axes and are not drawn
    List<String> labels = legendLabels(lo, hi);
    for (int i = 0; i < labels.size(); i++) {
      double v = labels.size() == 1 ? lo : lo + (hi - lo) * i / (labels.size() - 1);
      XYSeries s = chart.addSeries(labels.get(i), new double[] {-10}, new double[] {-10});
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      s.setMarker(SeriesMarkers.SQUARE);
      s.setMarkerColor(colour((v - lo) / (hi - lo)));
    }
    XYSeries rect = chart.addSeries("sweet spot", new double[] {-10, -11}, new double[] {-10, -11});
    rect.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    rect.setMarker(SeriesMarkers.NONE);
    rect.setLineColor(MARK);
    rect.setLineStyle(new BasicStroke(2.5f));
    XYSeries best =
        chart.addSeries(
            r.mode() == Mode.BIN ? "best bin" : "best graph",
            new double[] {-10},
            new double[] {-10});
    best.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    best.setMarker(SeriesMarkers.DIAMOND);
    best.setMarkerColor(MARK);
    addTrailLegends(chart, trails);
    if (overlay != null && overlay.clustering() != null) {
      XYSeries ref =
          chart.addSeries(overlay.label(), new double[] {-10, -11}, new double[] {-10, -11});
      ref.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      ref.setMarker(SeriesMarkers.NONE);
      ref.setLineColor(REFERENCE);
      ref.setLineStyle(DASHED);
    }
    if (overlay != null && !overlay.named().isEmpty()) {
      XYSeries named = chart.addSeries("named graph", new double[] {-10}, new double[] {-10});
      named.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      named.setMarker(SeriesMarkers.SQUARE);
      named.setMarkerColor(Color.LIGHT_GRAY);
    }
    if (r.mode() == Mode.GRAPH) {
      XYSeries kept = chart.addSeries("graph kept", new double[] {-10}, new double[] {-10});
      kept.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      kept.setMarker(SeriesMarkers.CIRCLE);
      kept.setMarkerColor(KEPT);
      XYSeries other = chart.addSeries("graph worse", new double[] {-10}, new double[] {-10});
      other.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      other.setMarker(SeriesMarkers.CIRCLE);
      other.setMarkerColor(Color.BLACK);
    }
    chart.addAnnotation(
        new Annotation(false) {
          @Override
          public void paint(Graphics2D g) {
            for (Bin b : bins) {
              double c0 =
                  SweetSpot.C_MIN
                      + b.cIndex() * (SweetSpot.C_MAX - SweetSpot.C_MIN) / SweetSpot.BINS;
              double c1 =
                  SweetSpot.C_MIN
                      + (b.cIndex() + 1) * (SweetSpot.C_MAX - SweetSpot.C_MIN) / SweetSpot.BINS;
              double l0 =
                  SweetSpot.L_MIN
                      + b.lIndex() * (SweetSpot.L_MAX - SweetSpot.L_MIN) / SweetSpot.BINS;
              double l1 =
                  SweetSpot.L_MIN
                      + (b.lIndex() + 1) * (SweetSpot.L_MAX - SweetSpot.L_MIN) / SweetSpot.BINS;
              g.setColor(colour((b.errors().mean() - low) / (high - low)));
              fill(g, c0, l0, c1, l1);
            }
            g.setStroke(new BasicStroke(2.5f));
            g.setColor(MARK);
            outline(
                g,
                r.clustering().lo(),
                r.pathLength().lo(),
                r.clustering().hi(),
                r.pathLength().hi());
            if (r.mode() == Mode.BIN && r.bestBin() != null) {
              marker(g, r.bestBin().clustering(), r.bestBin().pathLength(), MARK, 7);
            }
            if (r.mode() == Mode.GRAPH) {
              for (Graph gr : r.graphs()) {
                if (Double.isFinite(gr.clustering()) && Double.isFinite(gr.pathLength())) {
                  dot(g, gr.clustering(), gr.pathLength(), gr.inSweetSpot() ? KEPT : Color.BLACK);
                }
              }
              Graph bg = r.bestGraph();
              if (Double.isFinite(bg.clustering()) && Double.isFinite(bg.pathLength())) {
                marker(g, bg.clustering(), bg.pathLength(), MARK, 7);
              }
            }
            paintTrails(g, this::getXAxisScreenValue, this::getYAxisScreenValue, trails);
            if (overlay != null) {
              paintOverlay(g);
            }
          }

          private void paintOverlay(Graphics2D g) {
            if (overlay.clustering() != null) {
              g.setStroke(DASHED);
              g.setColor(REFERENCE);
              outline(
                  g,
                  overlay.clustering().lo(),
                  overlay.pathLength().lo(),
                  overlay.clustering().hi(),
                  overlay.pathLength().hi());
            }
            int index = 0;
            for (Named n : overlay.named()) {
              if (!(Double.isFinite(n.clustering()) && Double.isFinite(n.pathLength()))) {
                continue;
              }
              // alternate labels above and below their points, so near neighbours stay legible
              int dy = index++ % 2 == 0 ? -7 : 19;
              int a = getXAxisScreenValue(n.clustering());
              int b = getYAxisScreenValue(n.pathLength());
              g.setColor(Color.WHITE);
              g.fillRect(a - 5, b - 5, 10, 10);
              g.setColor(Color.BLACK);
              g.setStroke(new BasicStroke(1.5f));
              g.drawRect(a - 5, b - 5, 10, 10);
              g.setFont(g.getFont().deriveFont(java.awt.Font.BOLD, 13f));
              g.setColor(Color.WHITE);
              g.drawString(n.name(), a + 9, b + dy + 1);
              g.setColor(Color.BLACK);
              g.drawString(n.name(), a + 8, b + dy);
            }
          }

          private void fill(Graphics2D g, double x0, double y0, double x1, double y1) {
            int a = getXAxisScreenValue(x0);
            int b = getXAxisScreenValue(x1);
            int c = getYAxisScreenValue(y0);
            int d = getYAxisScreenValue(y1);
            g.fillRect(Math.min(a, b), Math.min(c, d), Math.abs(b - a) + 1, Math.abs(d - c) + 1);
          }

          private void outline(Graphics2D g, double x0, double y0, double x1, double y1) {
            if (!(Double.isFinite(x0) && Double.isFinite(y0))) {
              return;
            }
            int a = getXAxisScreenValue(x0);
            int b = getXAxisScreenValue(x1);
            int c = getYAxisScreenValue(y0);
            int d = getYAxisScreenValue(y1);
            g.drawRect(Math.min(a, b), Math.min(c, d), Math.abs(b - a), Math.abs(d - c));
          }

          private void marker(Graphics2D g, double x, double y, Color colour, int size) {
            int a = getXAxisScreenValue(x);
            int b = getYAxisScreenValue(y);
            int[] xs = {a, a + size, a, a - size};
            int[] ys = {b - size, b, b + size, b};
            g.setColor(colour);
            g.fillPolygon(xs, ys, 4);
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(1f));
            g.drawPolygon(xs, ys, 4);
          }

          private void dot(Graphics2D g, double x, double y, Color colour) {
            int a = getXAxisScreenValue(x);
            int b = getYAxisScreenValue(y);
            g.setColor(colour);
            g.fillOval(a - 3, b - 3, 7, 7);
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(1f));
            g.drawOval(a - 3, b - 3, 7, 7);
          }
        });
    ChartFiles.save(chart, base);
  }

  /**
   * The colour scale's legend labels from {@code lo} to {@code hi} percent, the last one "≥":
   * {@link #LEVELS} of them with as many decimals as it takes to tell them apart (chart series need
   * distinct names), or one label when the range is too narrow to show (one bin, or bins of equal
   * means).
   */
  static List<String> legendLabels(double lo, double hi) {
    for (int decimals = 2; decimals <= 6; decimals++) {
      List<String> labels = new ArrayList<>();
      for (int i = 0; i < LEVELS; i++) {
        double v = lo + (hi - lo) * i / (LEVELS - 1);
        labels.add(
            String.format(Locale.ROOT, "%s%." + decimals + "f%%", i == LEVELS - 1 ? "≥ " : "", v));
      }
      // the last label's "≥ " sets it apart: compare the numbers
      if (labels.stream().map(l -> l.replace("≥ ", "")).distinct().count() == LEVELS) {
        return labels;
      }
    }
    return List.of(String.format(Locale.ROOT, "%.2f%%", lo));
  }

  /**
   * Per-graph mean error against C or L with the second-degree polynomial fit (the paper's Fig. 4b,
   * 4d), and the complete graph's mean error as a dashed line when there is one.
   */
  public static void fit(Path base, String title, Analysis.Fit f, SweetSpot.Stats baseline)
      throws IOException {
    String xLabel =
        f.variable().equals("clustering") ? "clustering coefficient C" : "average path length L";
    XYChart chart = chart(title, xLabel, "top-1 error (%)");
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    XYSeries pts = chart.addSeries("graphs (" + f.x().length + ")", f.x(), f.y());
    pts.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    pts.setMarker(SeriesMarkers.CIRCLE);
    pts.setMarkerColor(new Color(0x1f, 0x77, 0xb4, 140));
    double lo = Arrays.stream(f.x()).min().orElseThrow();
    double hi = Arrays.stream(f.x()).max().orElseThrow();
    int n = 200;
    double[] fx = new double[n];
    double[] fy = new double[n];
    for (int i = 0; i < n; i++) {
      fx[i] = lo + (hi - lo) * i / (n - 1);
      fy[i] = f.value(fx[i]);
    }
    double[] c = f.coefficients();
    XYSeries curve =
        chart.addSeries(
            String.format(
                Locale.ROOT, "fit %.3f %+.3f x %+.3f x² (R² %.3f)", c[0], c[1], c[2], f.rSquared()),
            fx,
            fy);
    curve.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    curve.setMarker(SeriesMarkers.NONE);
    curve.setLineColor(MARK);
    curve.setLineStyle(new BasicStroke(2.5f));
    if (baseline != null) {
      XYSeries b =
          chart.addSeries(
              String.format(Locale.ROOT, "complete graph %.2f%%", baseline.mean()),
              new double[] {lo, hi},
              new double[] {baseline.mean(), baseline.mean()});
      b.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      b.setMarker(SeriesMarkers.NONE);
      b.setLineColor(Color.BLACK);
      b.setLineStyle(SeriesLines.DASH_DASH);
    }
    ChartFiles.save(chart, base);
  }

  /**
   * Two results' per-graph mean errors against C or L on the same axes, each as its difference from
   * its own complete-graph baseline, with each one's second-degree fit shifted the same way.
   */
  public static void compareFits(
      Path base,
      String title,
      Analysis.Fit ours,
      double oursBaseline,
      String oursLabel,
      Analysis.Fit theirs,
      double theirsBaseline,
      String theirsLabel)
      throws IOException {
    String xLabel =
        ours.variable().equals("clustering") ? "clustering coefficient C" : "average path length L";
    XYChart chart = chart(title, xLabel, "top-1 error minus the complete graph's (points)");
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    Color[] colours = {new Color(0xff, 0x7f, 0x0e), new Color(0x1f, 0x77, 0xb4)};
    Analysis.Fit[] fits = {theirs, ours};
    double[] bases = {theirsBaseline, oursBaseline};
    String[] labels = {theirsLabel, oursLabel};
    for (int k = 0; k < 2; k++) {
      Analysis.Fit f = fits[k];
      double b = bases[k];
      double[] y = Arrays.stream(f.y()).map(v -> v - b).toArray();
      XYSeries pts = chart.addSeries(labels[k] + " (" + f.x().length + " graphs)", f.x(), y);
      pts.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      pts.setMarker(SeriesMarkers.CIRCLE);
      Color c = colours[k];
      pts.setMarkerColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), k == 0 ? 60 : 200));
      double lo = Arrays.stream(f.x()).min().orElseThrow();
      double hi = Arrays.stream(f.x()).max().orElseThrow();
      int n = 200;
      double[] fx = new double[n];
      double[] fy = new double[n];
      for (int i = 0; i < n; i++) {
        fx[i] = lo + (hi - lo) * i / (n - 1);
        fy[i] = f.value(fx[i]) - b;
      }
      XYSeries curve =
          chart.addSeries(
              String.format(Locale.ROOT, "%s fit (R² %.3f)", labels[k], f.rSquared()), fx, fy);
      curve.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      curve.setMarker(SeriesMarkers.NONE);
      curve.setLineColor(c.darker());
      curve.setLineStyle(new BasicStroke(2.5f));
    }
    XYSeries zero =
        chart.addSeries(
            "complete graph (0)",
            new double[] {
              Math.min(
                  Arrays.stream(ours.x()).min().orElseThrow(),
                  Arrays.stream(theirs.x()).min().orElseThrow()),
              Math.max(
                  Arrays.stream(ours.x()).max().orElseThrow(),
                  Arrays.stream(theirs.x()).max().orElseThrow())
            },
            new double[] {0, 0});
    zero.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    zero.setMarker(SeriesMarkers.NONE);
    zero.setLineColor(Color.BLACK);
    zero.setLineStyle(SeriesLines.DASH_DASH);
    ChartFiles.save(chart, base);
  }

  /** Paired mean errors of one or more correlations as a scatter plot (the paper's Fig. 5). */
  public static void correlation(Path base, String title, List<Analysis.Correlation> cs)
      throws IOException {
    XYChart chart = chart(title, cs.get(0).xLabel(), cs.get(0).yLabel());
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    for (Analysis.Correlation c : cs) {
      XYSeries s =
          chart.addSeries(
              String.format(Locale.ROOT, "%s: r = %.3f (%d)", c.name(), c.pearson(), c.points()),
              c.x(),
              c.y());
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      s.setMarker(SeriesMarkers.CIRCLE);
    }
    ChartFiles.save(chart, base);
  }

  /**
   * Trails on the (C, L) plane over a reference sweet spot (a rectangle), for when no results are
   * at hand to draw a heat map from.
   */
  public static void trails(
      Path base,
      String title,
      SweetSpot.Range clustering,
      SweetSpot.Range pathLength,
      String rectangleLabel,
      List<Trail> trails)
      throws IOException {
    XYChart chart = planeChart(title);
    XYSeries rect =
        chart.addSeries(
            rectangleLabel,
            new double[] {
              clustering.lo(), clustering.hi(), clustering.hi(), clustering.lo(), clustering.lo()
            },
            new double[] {
              pathLength.lo(), pathLength.lo(), pathLength.hi(), pathLength.hi(), pathLength.lo()
            });
    rect.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    rect.setMarker(SeriesMarkers.NONE);
    rect.setLineColor(KEPT.darker());
    rect.setLineStyle(new BasicStroke(2.5f));
    addTrailLegends(chart, trails);
    chart.addAnnotation(
        new Annotation(false) {
          @Override
          public void paint(Graphics2D g) {
            paintTrails(g, this::getXAxisScreenValue, this::getYAxisScreenValue, trails);
          }
        });
    ChartFiles.save(chart, base);
  }

  private static void addTrailLegends(XYChart chart, List<Trail> trails) {
    for (int i = 0; i < trails.size(); i++) {
      XYSeries s = chart.addSeries(trails.get(i).name(), new double[] {-10}, new double[] {-10});
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
      s.setMarker(SeriesMarkers.CIRCLE);
      s.setMarkerColor(TRAIL_COLOURS[i % TRAIL_COLOURS.length]);
      s.setLineColor(TRAIL_COLOURS[i % TRAIL_COLOURS.length]);
    }
  }

  private static void paintTrails(
      Graphics2D g,
      java.util.function.DoubleToIntFunction screenX,
      java.util.function.DoubleToIntFunction screenY,
      List<Trail> trails) {
    for (int i = 0; i < trails.size(); i++) {
      Trail t = trails.get(i);
      Color colour = TRAIL_COLOURS[i % TRAIL_COLOURS.length];
      int lastX = Integer.MIN_VALUE;
      int lastY = 0;
      for (int k = 0; k < t.clustering().length; k++) {
        if (!(Double.isFinite(t.clustering()[k]) && Double.isFinite(t.pathLength()[k]))) {
          continue;
        }
        int x = screenX.applyAsInt(t.clustering()[k]);
        int y = screenY.applyAsInt(t.pathLength()[k]);
        g.setColor(colour);
        g.setStroke(new BasicStroke(2f));
        if (lastX != Integer.MIN_VALUE) {
          g.drawLine(lastX, lastY, x, y);
        }
        int size = k == t.clustering().length - 1 ? 9 : 6;
        g.fillOval(x - size / 2, y - size / 2, size, size);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawOval(x - size / 2, y - size / 2, size, size);
        lastX = x;
        lastY = y;
      }
    }
  }

  /** A chart of the (C, L) plane over the analysis's axis ranges, legend to the right. */
  private static XYChart planeChart(String title) {
    XYChart chart = chart(title, "clustering coefficient C", "average path length L");
    chart.getStyler().setXAxisMin(SweetSpot.C_MIN);
    chart.getStyler().setXAxisMax(SweetSpot.C_MAX);
    chart.getStyler().setYAxisMin(SweetSpot.L_MIN);
    chart.getStyler().setYAxisMax(SweetSpot.L_MAX);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    return chart;
  }

  private static XYChart chart(String title, String x, String y) {
    System.setProperty("java.awt.headless", "true");
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(700)
            .title(title)
            .xAxisTitle(x)
            .yAxisTitle(y)
            .build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotBackgroundColor(Color.WHITE);
    chart.getStyler().setMarkerSize(6);
    return chart;
  }

  /** The palette at {@code t} in [0, 1] (clamped), linearly interpolated. */
  static Color colour(double t) {
    double u = Math.max(0, Math.min(1, Double.isNaN(t) ? 0 : t)) * (PALETTE.length - 1);
    int i = Math.min(PALETTE.length - 2, (int) u);
    double f = u - i;
    Color a = PALETTE[i];
    Color b = PALETTE[i + 1];
    return new Color(
        (int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
        (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
        (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
  }
}

package org.relgraph.io;

import java.io.IOException;
import java.nio.file.Path;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;

/** Saves charts: every figure the library writes goes out as PNG and SVG through here. */
public final class ChartFiles {
  private ChartFiles() {}

  /** Writes {@code chart} as {@code base.png} and {@code base.svg}, through {@link OutputFiles}. */
  public static void save(XYChart chart, Path base) throws IOException {
    String b = base.getFileName().toString();
    OutputFiles.writeBuffered(
        base.resolveSibling(b + ".png"),
        out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    OutputFiles.writeBuffered(
        base.resolveSibling(b + ".svg"),
        out ->
            VectorGraphicsEncoder.saveVectorGraphic(
                chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG));
  }
}

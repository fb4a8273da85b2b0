package org.relgraph.train;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/** Builds small data-set files in the formats the loaders read. */
final class DataFiles {
  private DataFiles() {}

  /** An IDX3 file of {@code count} images of {@code rows × columns} bytes. */
  static byte[] idxImages(int count, int rows, int columns, byte[] pixels) {
    ByteBuffer buffer = ByteBuffer.allocate(16 + pixels.length);
    buffer.putInt(IdxFiles.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(columns).put(pixels);
    return buffer.array();
  }

  /** An IDX1 file of labels. */
  static byte[] idxLabels(byte[] labels) {
    ByteBuffer buffer = ByteBuffer.allocate(8 + labels.length);
    buffer.putInt(IdxFiles.LABELS_MAGIC).putInt(labels.length).put(labels);
    return buffer.array();
  }

  /** CIFAR-10 binary records: each label followed by its 3072 pixels. */
  static byte[] cifarRecords(byte[] labels, byte[] pixels) {
    ByteBuffer buffer = ByteBuffer.allocate(labels.length * CifarLoader.RECORD);
    for (int i = 0; i < labels.length; i++) {
      buffer.put(labels[i]).put(pixels, i * CifarLoader.IMAGE, CifarLoader.IMAGE);
    }
    return buffer.array();
  }

  static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] cut(byte[] bytes, int drop) {
    return Arrays.copyOf(bytes, bytes.length - drop);
  }

  static void write(Path dir, String name, byte[] bytes) {
    try {
      Files.createDirectories(dir);
      Files.write(dir.resolve(name), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Bytes {@code 0, 1, 2, ...} modulo 256, offset by {@code start}. */
  static byte[] ramp(int length, int start) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (start + i);
    }
    return bytes;
  }
}

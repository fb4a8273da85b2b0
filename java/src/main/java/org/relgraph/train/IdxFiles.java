package org.relgraph.train;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Readers of IDX files, the format of MNIST and Fashion-MNIST: a big-endian magic {@code
 * 0x000008NN} (unsigned bytes, {@code NN} dimensions), one 32-bit size per dimension, then the
 * values. Files may be gzip-compressed; the content decides, not the name.
 */
final class IdxFiles {
  static final int LABELS_MAGIC = 0x00000801;
  static final int IMAGES_MAGIC = 0x00000803;

  private IdxFiles() {}

  /** Images of one IDX file: {@code count} images of {@code rows × columns} bytes, row-major. */
  record Images(String file, int count, int rows, int columns, byte[] pixels) {
    int pixelsPerImage() {
      return rows * columns;
    }
  }

  /** {@code dir/base} or {@code dir/base.gz}, whichever exists (the plain name first). */
  static Path find(Path dir, String base) {
    for (String name : new String[] {base, base + ".gz"}) {
      Path file = dir.resolve(name);
      if (Files.isRegularFile(file)) {
        return file;
      }
    }
    throw new DatasetException("no " + base + "[.gz] in " + dir);
  }

  /** Reads an IDX3 file of unsigned bytes, {@code count × rows × columns}. */
  static Images readImages(Path path) {
    String file = path.getFileName().toString();
    try (InputStream in = open(path)) {
      ByteBuffer header = header(in, file, 16, IMAGES_MAGIC, "IDX images");
      int count = header.getInt(4);
      int rows = header.getInt(8);
      int columns = header.getInt(12);
      if (count < 0 || rows < 1 || columns < 1 || (long) count * rows * columns > MAX_ARRAY) {
        throw DatasetException.inFile(
            file, "bad dimensions " + count + " images of " + rows + "x" + columns);
      }
      byte[] pixels = new byte[count * rows * columns];
      int found = readFully(in, pixels, file);
      if (found < pixels.length) {
        throw DatasetException.inFile(
            file,
            "truncated: expected "
                + count
                + " images of "
                + rows
                + "x"
                + columns
                + ", found "
                + found / (rows * columns)
                + " complete ones");
      }
      rejectTrailing(in, file, count + " images");
      return new Images(file, count, rows, columns, pixels);
    } catch (IOException e) {
      throw DatasetException.inFile(file, "cannot read: " + e, e);
    }
  }

  /** Reads an IDX1 file of unsigned byte labels, each in {@code 0 .. classes-1}. */
  static byte[] readLabels(Path path, int classes) {
    String file = path.getFileName().toString();
    try (InputStream in = open(path)) {
      ByteBuffer header = header(in, file, 8, LABELS_MAGIC, "IDX labels");
      int count = header.getInt(4);
      if (count < 0 || count > MAX_ARRAY) {
        throw DatasetException.inFile(file, "bad dimensions " + count + " labels");
      }
      byte[] labels = new byte[count];
      int found = readFully(in, labels, file);
      if (found < count) {
        throw DatasetException.inFile(
            file, "truncated: expected " + count + " labels, found " + found);
      }
      rejectTrailing(in, file, count + " labels");
      for (int i = 0; i < count; i++) {
        if ((labels[i] & 0xff) >= classes) {
          throw DatasetException.inFile(
              file,
              "label " + (labels[i] & 0xff) + " at index " + i + " outside 0.." + (classes - 1));
        }
      }
      return labels;
    } catch (IOException e) {
      throw DatasetException.inFile(file, "cannot read: " + e, e);
    }
  }

  // Java arrays stop a little short of Integer.MAX_VALUE.
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  // gzip is recognised by its magic bytes, so a decompressed file keeps working under a .gz name
  // and the other way round.
  private static InputStream open(Path path) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
    try {
      in.mark(2);
      int b0 = in.read();
      int b1 = in.read();
      in.reset();
      return b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
    } catch (IOException e) {
      in.close();
      throw e;
    }
  }

  private static ByteBuffer header(InputStream in, String file, int length, int magic, String kind)
      throws IOException {
    byte[] bytes = new byte[length];
    int found = readFully(in, bytes, file);
    if (found == 0) {
      throw DatasetException.inFile(file, "empty file");
    }
    ByteBuffer header = ByteBuffer.wrap(bytes); // big-endian, as IDX is
    if (found >= 4 && header.getInt(0) != magic) {
      throw DatasetException.inFile(
          file,
          String.format("bad magic 0x%08x, expected 0x%08x (%s)", header.getInt(0), magic, kind));
    }
    if (found < length) {
      throw DatasetException.inFile(
          file, "truncated header: " + found + " bytes, expected " + length);
    }
    return header;
  }

  // Reads until the array is full or the data ends; a gzip stream that ends early is truncated
  // data too, and a corrupt one is reported as such.
  private static int readFully(InputStream in, byte[] into, String file) throws IOException {
    try {
      return in.readNBytes(into, 0, into.length);
    } catch (EOFException e) {
      throw DatasetException.inFile(file, "truncated: the gzip stream ends early", e);
    } catch (ZipException e) {
      throw DatasetException.inFile(file, "corrupt gzip data: " + e.getMessage(), e);
    }
  }

  private static void rejectTrailing(InputStream in, String file, String what) throws IOException {
    long extra;
    try {
      extra = in.skip(Long.MAX_VALUE);
      while (in.read() >= 0) {
        extra += 1 + in.skip(Long.MAX_VALUE);
      }
    } catch (EOFException | ZipException e) {
      throw DatasetException.inFile(file, "corrupt gzip data after the " + what, e);
    }
    if (extra > 0) {
      throw DatasetException.inFile(
          file, extra + " bytes after the " + what + " the header declares");
    }
  }
}

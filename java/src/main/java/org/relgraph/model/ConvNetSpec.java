package org.relgraph.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The shape of one of the paper's convolutional networks (graph2nn's {@code cnn.py} and {@code
 * resnet.py}): a dense stem, stages of blocks whose convolutions are relational, and a head of
 * global average pooling and a dense layer. The stage widths are not fixed here: {@link #at(List,
 * int)} lays out the network at any stage widths and input resolution ({@link ConvNet}), and {@link
 * ConvMatching} picks the widths that match the complete-graph baseline's FLOPs. The stem keeps its
 * width, as in the paper's code.
 *
 * <p>Every relational layer partitions its input and its output channels over the graph's nodes
 * with {@link #partition}; the stem and every stage must therefore have at least as many channels
 * as the graph has nodes ({@link #maxNodes()}).
 *
 * @param name the model's name ({@link #NAMES})
 * @param description one line for people
 * @param stem the stem
 * @param block the blocks of every stage
 * @param blocksPerStage blocks in each stage
 * @param stageWidths the baseline's output channels of each stage
 * @param stageStrides the stride of each stage's first block
 * @param relationalShortcut whether projection shortcuts are relational 1×1 convolutions (the
 *     paper's ResNet-34 and ResNet-34-sep) or dense ones (ResNet-50)
 * @param inputChannels channels of the input image (3 for RGB, 1 for Fashion-MNIST)
 * @param classes output classes
 * @param resolution the input side the paper counts at (32 for CIFAR-10, 224 for ImageNet)
 * @param partitionSeed seed of the channel partitions
 */
public record ConvNetSpec(
    String name,
    String description,
    Stem stem,
    Block block,
    List<Integer> blocksPerStage,
    List<Integer> stageWidths,
    List<Integer> stageStrides,
    boolean relationalShortcut,
    int inputChannels,
    int classes,
    int resolution,
    long partitionSeed) {

  /** The largest input side accepted. */
  public static final int MAX_RESOLUTION = 1 << 14;

  /** The widest stage accepted. */
  public static final int MAX_WIDTH = 1 << 16;

  /** The most blocks a stage may have. */
  public static final int MAX_BLOCKS = 1 << 10;

  /** The most input channels accepted. */
  public static final int MAX_INPUT_CHANNELS = 1 << 12;

  /** The most classes accepted. */
  public static final int MAX_CLASSES = 1 << 20;

  /** The paper's node count for its convolutional networks. */
  public static final int DEFAULT_NODES = 64;

  /**
   * The stem: a dense {@code kernel × kernel} convolution of the given stride (padding {@code
   * kernel / 2}), batch norm and ReLU, then, on ImageNet, 3×3 max pooling of stride 2.
   */
  public record Stem(int kernel, int stride, int channels, boolean maxPool) {}

  /** The blocks of a stage. */
  public enum Block {
    /** The CNN's block: relational 3×3 (the stride), batch norm, ReLU. */
    PLAIN,
    /**
     * ResNet's basic block: relational 3×3 (the stride), BN, ReLU, relational 3×3, BN; added to the
     * shortcut, then ReLU.
     */
    BASIC,
    /**
     * ResNet-34-sep's block: depthwise 3×3 (the stride), relational 1×1, BN, ReLU, depthwise 3×3,
     * relational 1×1, BN; added to the shortcut, then ReLU.
     */
    SEPARABLE,
    /**
     * ResNet-50's bottleneck: relational 1×1 to the inner width {@code round(out / 4)}, BN, ReLU,
     * relational 3×3 (the stride), BN, ReLU, relational 1×1 to the output width, BN; added to the
     * shortcut, then ReLU.
     */
    BOTTLENECK
  }

  /** The models, by name. */
  public static final List<String> NAMES =
      List.of("cnn", "cnn-imagenet", "resnet20", "resnet34", "resnet34-sep", "resnet50");

  private static final Map<String, ConvNetSpec> PRESETS =
      Map.of(
          "cnn",
          new ConvNetSpec(
              "cnn",
              "CNN for small images (CIFAR-10): 3x3 stem, 3 stages of 2 relational 3x3 layers",
              new Stem(3, 1, 64, false),
              Block.PLAIN,
              List.of(2, 2, 2),
              List.of(64, 128, 256),
              List.of(2, 2, 2),
              false,
              3,
              10,
              32,
              0),
          "cnn-imagenet",
          new ConvNetSpec(
              "cnn-imagenet",
              "the paper's 8-layer CNN on ImageNet: 3x3 stem and max pool, 6 relational 3x3 layers,"
                  + " head",
              new Stem(3, 2, 64, true),
              Block.PLAIN,
              List.of(2, 2, 2),
              List.of(64, 128, 256),
              List.of(2, 2, 2),
              false,
              3,
              1000,
              224,
              0),
          "resnet20",
          new ConvNetSpec(
              "resnet20",
              "ResNet-20 for CIFAR-10: 3x3 stem, 3 stages of 3 relational basic blocks",
              new Stem(3, 1, 16, false),
              Block.BASIC,
              List.of(3, 3, 3),
              List.of(16, 32, 64),
              List.of(1, 2, 2),
              true,
              3,
              10,
              32,
              0),
          "resnet34",
          imagenetResNet("resnet34", "ResNet-34: relational basic blocks", Block.BASIC, 64, true),
          "resnet34-sep",
          imagenetResNet(
              "resnet34-sep",
              "ResNet-34-sep: separable blocks (depthwise 3x3, relational 1x1)",
              Block.SEPARABLE,
              64,
              true),
          "resnet50",
          imagenetResNet(
              "resnet50",
              "ResNet-50: relational bottleneck blocks, dense projection shortcuts",
              Block.BOTTLENECK,
              256,
              false));

  private static ConvNetSpec imagenetResNet(
      String name, String description, Block block, int firstWidth, boolean relationalShortcut) {
    return new ConvNetSpec(
        name,
        description + "; ImageNet 7x7 stem and max pool",
        new Stem(7, 2, 64, true),
        block,
        List.of(3, 4, 6, 3),
        List.of(firstWidth, 2 * firstWidth, 4 * firstWidth, 8 * firstWidth),
        List.of(1, 2, 2, 2),
        relationalShortcut,
        3,
        1000,
        224,
        0);
  }

  /** Validates. */
  public ConvNetSpec {
    blocksPerStage = List.copyOf(blocksPerStage);
    stageWidths = List.copyOf(stageWidths);
    stageStrides = List.copyOf(stageStrides);
    int stages = stageWidths.size();
    if (stages < 1 || blocksPerStage.size() != stages || stageStrides.size() != stages) {
      throw new IllegalArgumentException(
          "stages: "
              + blocksPerStage.size()
              + " block counts, "
              + stages
              + " widths and "
              + stageStrides.size()
              + " strides; need the same number, at least 1");
    }
    for (int i = 0; i < stages; i++) {
      inRange(blocksPerStage.get(i), 1, MAX_BLOCKS, "blocks of stage " + i);
      inRange(stageWidths.get(i), 1, MAX_WIDTH, "width of stage " + i);
      inRange(stageStrides.get(i), 1, 2, "stride of stage " + i);
    }
    inRange(stem.kernel(), 1, 15, "stem kernel");
    inRange(stem.stride(), 1, 4, "stem stride");
    inRange(stem.channels(), 1, MAX_WIDTH, "stem channels");
    inRange(inputChannels, 1, MAX_INPUT_CHANNELS, "input channels");
    inRange(classes, 2, MAX_CLASSES, "classes");
    inRange(resolution, 1, MAX_RESOLUTION, "resolution");
  }

  /**
   * The model of that name ({@link #NAMES}), case-insensitive.
   *
   * @throws IllegalArgumentException naming the models there are
   */
  public static ConvNetSpec named(String name) {
    ConvNetSpec s = PRESETS.get(name == null ? "" : name.strip().toLowerCase(Locale.ROOT));
    if (s == null) {
      throw new IllegalArgumentException(
          "unknown model '" + name + "': there are " + String.join(", ", NAMES));
    }
    return s;
  }

  /** A copy for other images: {@code channels} input channels, {@code classes} classes. */
  public ConvNetSpec withInput(int channels, int classes) {
    return new ConvNetSpec(
        name,
        description,
        stem,
        block,
        blocksPerStage,
        stageWidths,
        stageStrides,
        relationalShortcut,
        channels,
        classes,
        resolution,
        partitionSeed);
  }

  /** A copy with other baseline stage widths and blocks per stage (the paper's variants). */
  public ConvNetSpec withStages(List<Integer> blocks, List<Integer> widths, int stemChannels) {
    return new ConvNetSpec(
        name,
        description,
        new Stem(stem.kernel(), stem.stride(), stemChannels, stem.maxPool()),
        block,
        blocks,
        widths,
        stageStrides,
        relationalShortcut,
        inputChannels,
        classes,
        resolution,
        partitionSeed);
  }

  /** How a relational layer's {@code channels} are divided among {@code nodes} nodes. */
  public ChannelPartition partition(int channels, int nodes) {
    return ChannelPartition.of(channels, nodes, partitionSeed);
  }

  /** The baseline network at {@code resolution}: the stage widths of the spec. */
  public ConvNet baseline(int resolution) {
    return at(stageWidths, resolution);
  }

  /**
   * The stage widths of the family that width matching searches: stage i gets {@code
   * round(stageWidths[i] · widest / stageWidths[last])} channels (halves up, at least 1), so the
   * last stage gets {@code widest} and the stages keep the baseline's ratios as closely as whole
   * channels allow. Non-decreasing in {@code widest}, stage by stage.
   */
  public List<Integer> widthsFor(int widest) {
    inRange(widest, 1, MAX_WIDTH, "widest stage");
    long last = stageWidths.get(stageWidths.size() - 1);
    List<Integer> w = new ArrayList<>(stageWidths.size());
    for (int base : stageWidths) {
      w.add((int) Math.max(1, (2L * base * widest + last) / (2 * last)));
    }
    return List.copyOf(w);
  }

  /**
   * The most nodes a graph may have for the baseline: the fewest channels of any relational layer
   * (the stem's output is the first one's input).
   */
  public int maxNodes() {
    return narrowest(stageWidths);
  }

  /** The fewest channels a relational layer reads or writes at these stage widths. */
  int narrowest(List<Integer> widths) {
    int min = stem.channels();
    for (int w : widths) {
      min = Math.min(min, w);
      if (block == Block.BOTTLENECK) {
        min = Math.min(min, innerWidth(w));
      }
    }
    return min;
  }

  /** A bottleneck's inner width: {@code round(out / 4)}, ties to even as Python rounds. */
  public static int innerWidth(int out) {
    return Math.max(1, (int) Math.rint(out / 4.0));
  }

  /**
   * Lays out the network at the given stage widths and input side.
   *
   * @throws IllegalArgumentException for a wrong number of widths, or one or a side out of range
   */
  public ConvNet at(List<Integer> widths, int resolution) {
    if (widths.size() != stageWidths.size()) {
      throw new IllegalArgumentException(
          name + " has " + stageWidths.size() + " stages, " + widths.size() + " widths given");
    }
    for (int w : widths) {
      inRange(w, 1, MAX_WIDTH, "stage width");
    }
    inRange(resolution, 1, MAX_RESOLUTION, "resolution");
    return new ConvNet(this, List.copyOf(widths), resolution, new Layout(resolution).ops(widths));
  }

  /** Builds the operation list, tracking the current output, its channels and its side. */
  private final class Layout {
    private final List<ConvOp> ops = new ArrayList<>();
    private int cur = -1;
    private int channels = inputChannels;
    private int size;

    Layout(int resolution) {
      this.size = resolution;
    }

    List<ConvOp> ops(List<Integer> widths) {
      conv("stem.conv", ConvOp.Kind.DENSE_CONV, stem.channels(), stem.kernel(), stem.stride());
      bn("stem.bn", true);
      if (stem.maxPool()) {
        window("stem.pool", ConvOp.Kind.MAX_POOL, channels, 3, 2, 1);
      }
      for (int s = 0; s < widths.size(); s++) {
        for (int b = 0; b < blocksPerStage.get(s); b++) {
          String at = "s" + (s + 2) + ".b" + (b + 1);
          block(at, widths.get(s), b == 0 ? stageStrides.get(s) : 1);
        }
      }
      window("head.pool", ConvOp.Kind.GLOBAL_AVG_POOL, channels, size, 1, 0);
      add(
          new ConvOp(
              "head.fc", ConvOp.Kind.DENSE, cur, -1, channels, classes, 1, 1, 0, 1, 1, false));
      return List.copyOf(ops);
    }

    private void block(String at, int out, int stride) {
      if (block == Block.PLAIN) {
        conv(at + ".a", ConvOp.Kind.RELATIONAL_CONV, out, 3, stride);
        bn(at + ".a.bn", true);
        return;
      }
      int in = cur;
      int inChannels = channels;
      int inSize = size;
      switch (block) {
        case BASIC -> {
          conv(at + ".a", ConvOp.Kind.RELATIONAL_CONV, out, 3, stride);
          bn(at + ".a.bn", true);
          conv(at + ".b", ConvOp.Kind.RELATIONAL_CONV, out, 3, 1);
          bn(at + ".b.bn", false);
        }
        case SEPARABLE -> {
          conv(at + ".a_3x3", ConvOp.Kind.DEPTHWISE_CONV, channels, 3, stride);
          conv(at + ".a_1x1", ConvOp.Kind.RELATIONAL_CONV, out, 1, 1);
          bn(at + ".a_1x1.bn", true);
          conv(at + ".b_3x3", ConvOp.Kind.DEPTHWISE_CONV, channels, 3, 1);
          conv(at + ".b_1x1", ConvOp.Kind.RELATIONAL_CONV, out, 1, 1);
          bn(at + ".b_1x1.bn", false);
        }
        case BOTTLENECK -> {
          int inner = innerWidth(out);
          conv(at + ".a", ConvOp.Kind.RELATIONAL_CONV, inner, 1, 1);
          bn(at + ".a.bn", true);
          conv(at + ".b", ConvOp.Kind.RELATIONAL_CONV, inner, 3, stride);
          bn(at + ".b.bn", true);
          conv(at + ".c", ConvOp.Kind.RELATIONAL_CONV, out, 1, 1);
          bn(at + ".c.bn", false);
        }
        default -> throw new AssertionError(block);
      }
      int main = cur;
      int shortcut = in;
      if (inChannels != out || stride != 1) {
        ConvOp.Kind kind =
            relationalShortcut ? ConvOp.Kind.RELATIONAL_CONV : ConvOp.Kind.DENSE_CONV;
        int outSize = ConvOp.outSize(inSize, 1, stride, 0);
        add(
            new ConvOp(
                at + ".proj", kind, in, -1, inChannels, out, 1, stride, 0, inSize, outSize, false));
        add(
            new ConvOp(
                at + ".proj.bn",
                ConvOp.Kind.BATCH_NORM,
                cur,
                -1,
                out,
                out,
                1,
                1,
                0,
                outSize,
                outSize,
                false));
        shortcut = cur;
      }
      add(
          new ConvOp(
              at + ".add",
              ConvOp.Kind.RESIDUAL_ADD,
              main,
              shortcut,
              out,
              out,
              1,
              1,
              0,
              size,
              size,
              true));
    }

    private void conv(String name, ConvOp.Kind kind, int out, int kernel, int stride) {
      int padding = kernel / 2;
      int outSize = ConvOp.outSize(size, kernel, stride, padding);
      add(
          new ConvOp(
              name, kind, cur, -1, channels, out, kernel, stride, padding, size, outSize, false));
    }

    private void window(String name, ConvOp.Kind kind, int c, int kernel, int stride, int padding) {
      int outSize = ConvOp.outSize(size, kernel, stride, padding);
      add(new ConvOp(name, kind, cur, -1, c, c, kernel, stride, padding, size, outSize, false));
    }

    private void bn(String name, boolean relu) {
      add(
          new ConvOp(
              name,
              ConvOp.Kind.BATCH_NORM,
              cur,
              -1,
              channels,
              channels,
              1,
              1,
              0,
              size,
              size,
              relu));
    }

    private void add(ConvOp op) {
      ops.add(op);
      cur = ops.size() - 1;
      channels = op.outChannels();
      size = op.outSize();
    }
  }

  private static void inRange(int v, int min, int max, String name) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(name + " = " + v + " outside [" + min + ", " + max + "]");
    }
  }
}

package org.relgraph.train;

/**
 * A classification data set ready for training: its two splits share the feature count, the class
 * count and the normalisation (computed from, or fixed for, the training split).
 *
 * @param name the name {@link Datasets#load} knows it by, such as {@code fashion-mnist}
 * @param train the training split; it may {@link DataSplit#augments() augment}
 * @param test the test split; it never augments
 * @param classes the number of classes
 * @param features the number of input features per sample
 * @param description one line saying where the data came from and how it is normalised
 */
public record Dataset(
    String name, DataSplit train, DataSplit test, int classes, int features, String description) {
  /** Checks that both splits agree with the declared sizes. */
  public Dataset {
    if (train.features() != features || test.features() != features) {
      throw new IllegalArgumentException(
          name
              + ": train has "
              + train.features()
              + " features, test "
              + test.features()
              + ", declared "
              + features);
    }
    if (train.classes() != classes || test.classes() != classes) {
      throw new IllegalArgumentException(
          name
              + ": train has "
              + train.classes()
              + " classes, test "
              + test.classes()
              + ", declared "
              + classes);
    }
    if (test.augments()) {
      throw new IllegalArgumentException(name + ": the test split must not augment");
    }
  }
}

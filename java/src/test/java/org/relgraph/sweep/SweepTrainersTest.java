package org.relgraph.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.relgraph.engine.JavaBackend;
import org.relgraph.nn.ExecutionMode;
import org.relgraph.train.Dataset;
import org.relgraph.train.Datasets;
import org.relgraph.train.TrainConfig;
import org.relgraph.train.TrainingRun;

class SweepTrainersTest {
  private static final Dataset DATA = Datasets.synthetic(64, 32, 8, 2, 1);
  private static final String PAPER_KEY =
      "model=m;dataset="
          + DATA.name()
          + ";mode=blocksparse;width=matched;epochs=3;batch=128;lr=0.1;momentum=0.9;wd=5.0E-4"
          + ";nesterov=true;schedule=cosine";

  private static String key(int stemWidth) {
    return SweepTrainers.real(
            "m",
            DATA,
            ExecutionMode.BLOCKSPARSE,
            TrainingRun.MATCH,
            stemWidth,
            TrainConfig.paper(3, 0),
            JavaBackend::new)
        .configKey();
  }

  /** Databases written before --stem-width existed resume: the paper's width adds nothing. */
  @Test
  void theStemWidthEntersTheKeyOnlyWhenItIsNotThePapers() {
    assertEquals(
        PAPER_KEY,
        SweepTrainers.real(
                "m",
                DATA,
                ExecutionMode.BLOCKSPARSE,
                TrainingRun.MATCH,
                TrainConfig.paper(3, 0),
                JavaBackend::new)
            .configKey());
    assertEquals(PAPER_KEY, key(512));
    assertEquals(PAPER_KEY.replace("width=matched;", "width=matched;stem_width=1024;"), key(1024));
  }
}

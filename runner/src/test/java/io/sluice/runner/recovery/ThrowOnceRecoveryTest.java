package io.sluice.runner.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runner.SluicePipelineOptions;
import io.sluice.runner.SluicePipelineResult;
import io.sluice.runner.SluiceRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DoFn throws once at a random element of a streaming job with keyed state, timers, windows and a
 * windowed file sink: the job restarts from its latest checkpoint and must write exactly the files
 * and lines a run without the failure writes.
 */
class ThrowOnceRecoveryTest {

  private static final long ELEMENTS = 3000;
  private static final long PER_SECOND = 1500;

  @TempDir
  Path temp;

  private SluicePipelineOptions options(String jobName, String backend) {
    SluicePipelineOptions options = PipelineOptionsFactory.create().as(SluicePipelineOptions.class);
    options.setRunner(SluiceRunner.class);
    options.setJobName(jobName);
    options.setStreaming(true);
    options.setParallelism(2);
    options.setStateBackend(backend);
    options.setStateDirectory(temp.resolve("state").toString());
    options.setCheckpointDir(temp.resolve("checkpoints").toString());
    options.setCheckpointingInterval(150L);
    options.setExecutionRetryDelay(50L);
    return options;
  }

  @Test
  void throwOnceRocksDb() throws Exception {
    runAndCompare("rocksdb");
  }

  @Test
  void throwOnceHeap() throws Exception {
    runAndCompare("heap");
  }

  private void runAndCompare(String backend) throws Exception {
    long seed = System.nanoTime();
    long failAt = 600 + new Random(seed).nextInt((int) ELEMENTS - 1200);
    Path clean = temp.resolve("clean-" + backend);
    Path failing = temp.resolve("failing-" + backend);

    RecoveryJob.THROWN.set(true);
    SluicePipelineResult reference = (SluicePipelineResult) RecoveryJob.build(
        options("clean-" + backend, backend), ELEMENTS, PER_SECOND, clean, -1).run();
    assertEquals(PipelineResult.State.DONE, reference.waitUntilFinish());

    RecoveryJob.THROWN.set(false);
    SluicePipelineResult recovered = (SluicePipelineResult) RecoveryJob.build(
        options("failing-" + backend, backend), ELEMENTS, PER_SECOND, failing, failAt).run();
    assertEquals(PipelineResult.State.DONE, recovered.waitUntilFinish());
    assertTrue(RecoveryJob.THROWN.get(), "the DoFn never threw (seed " + seed + ")");

    List<String> expected = RecoveryJob.allLines(clean);
    assertEquals(7 * 6, expected.size(), "7 keys in 6 windows: " + expected);
    assertEquals(RecoveryJob.outputFiles(clean).keySet(), RecoveryJob.outputFiles(failing).keySet(),
        "file names (seed " + seed + ", failing at " + failAt + ")");
    assertEquals(expected, RecoveryJob.allLines(failing), "lines (seed " + seed + ", failing at " + failAt + ")");
    assertTrue(recovered.checkpointStats().completed() > 0, "no checkpoint completed");
  }
}

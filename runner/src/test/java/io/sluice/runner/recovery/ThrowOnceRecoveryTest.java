package io.sluice.runner.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runner.SluicePipelineOptions;
import io.sluice.runner.SluicePipelineResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DoFn throws once at a random element of a streaming job with keyed state, timers, windows and a
 * windowed file sink: the job restarts from its latest checkpoint and must write exactly the files
 * and lines a run without the failure writes.
 */
class ThrowOnceRecoveryTest {

  private static final long ELEMENTS = 6000;
  private static final long PER_SECOND = 1000;

  @TempDir
  Path temp;

  private SluicePipelineOptions options(String jobName, String backend) {
    SluicePipelineOptions options = RecoveryJob.options(temp, jobName, 2, 150);
    options.setStateBackend(backend);
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
    assertEquals(2 * 7 * 12, expected.size(), "7 keys in 12 windows, by the stateful DoFn and by Combine: " + expected);
    assertEquals(RecoveryJob.outputFiles(clean).keySet(), RecoveryJob.outputFiles(failing).keySet(),
        "file names (seed " + seed + ", failing at " + failAt + ")");
    assertEquals(expected, RecoveryJob.allLines(failing), "lines (seed " + seed + ", failing at " + failAt + ")");
    assertTrue(recovered.checkpointStats().completed() > 0, "no checkpoint completed");

    // Committed metrics count each element once across the restart; attempted ones count retries.
    assertEquals(ELEMENTS, committedElements(reference));
    assertEquals(ELEMENTS, committedElements(recovered), "committed elements (failing at " + failAt + ")");
    assertTrue(attemptedElements(recovered) > ELEMENTS, "attempted elements count the work redone");
  }

  private static long committedElements(PipelineResult result) {
    return elementsCounter(result).getCommitted();
  }

  private static long attemptedElements(PipelineResult result) {
    return elementsCounter(result).getAttempted();
  }

  private static MetricResult<Long> elementsCounter(PipelineResult result) {
    MetricQueryResults query = result.metrics().queryMetrics(MetricsFilter.builder()
        .addNameFilter(MetricNameFilter.named(RecoveryJob.SumPerWindow.class, "elements")).build());
    MetricResult<Long> counter = null;
    for (MetricResult<Long> c : query.getCounters()) {
      assertTrue(counter == null, "one counter expected");
      counter = c;
    }
    assertTrue(counter != null, "no elements counter");
    return counter;
  }
}

package io.sluice.runner.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.runner.SluicePipelineOptions;
import io.sluice.runner.SluicePipelineResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.joda.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job at parallelism 2 is stopped with a savepoint half-way; the savepoint is restored at
 * parallelism 1, 3 and 4 (key groups and source splits redistributed), each continuing from what
 * the stopped job had written (put back as it was before each restore: the sink's state names its
 * temporary files there). Each must end with exactly the output of a run never stopped.
 */
class RescaleRestoreTest {

  private static final long ELEMENTS = 6000;
  private static final long PER_SECOND = 1000;

  @TempDir
  Path temp;

  @ParameterizedTest
  @ValueSource(strings = {"rocksdb", "heap"})
  void restoresAtOtherParallelisms(String backend) throws Exception {
    Path reference = temp.resolve("reference");
    RecoveryJob.runUndisturbed(temp, ELEMENTS, PER_SECOND, reference);
    List<String> expected = RecoveryJob.allLines(reference);

    Path stoppedOutput = temp.resolve("stopped");
    SluicePipelineOptions options = RecoveryJob.options(temp, "rescaled", 2, 100);
    options.setStateBackend(backend);
    options.setBlockOnRun(false);
    SluicePipelineResult stopped = (SluicePipelineResult) RecoveryJob.build(options, ELEMENTS,
        RecoveryJob.INTERRUPTED_PER_SECOND, stoppedOutput, -1).run();
    RecoveryJob.awaitCheckpoints(stopped, 2);
    Path savepoint = stopped.stopWithSavepoint(Duration.standardSeconds(30));
    assertEquals(PipelineResult.State.STOPPED, stopped.getState());

    Path pristine = temp.resolve("stopped-pristine");
    copyTree(stoppedOutput, pristine);
    for (int parallelism : new int[] {1, 3, 4}) {
      Path output = stoppedOutput;
      deleteTree(output);
      copyTree(pristine, output);
      SluicePipelineOptions restored = RecoveryJob.options(temp, "restored-" + parallelism, parallelism, 100);
      restored.setStateBackend(backend);
      restored.setRestoreFrom(savepoint.toString());
      assertEquals(PipelineResult.State.DONE,
          RecoveryJob.build(restored, ELEMENTS, 4 * PER_SECOND, output, -1).run().waitUntilFinish());
      assertEquals(RecoveryJob.outputFiles(reference).keySet(), RecoveryJob.outputFiles(output).keySet(),
          "file names at parallelism " + parallelism);
      assertEquals(expected, RecoveryJob.allLines(output), "lines at parallelism " + parallelism);
    }
  }

  private static void copyTree(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    if (!Files.isDirectory(from)) {
      return;
    }
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }
}

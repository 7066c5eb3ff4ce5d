package io.sluice.runner.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.checkpoint.CheckpointException;
import io.sluice.execution.checkpoint.CheckpointStorage;
import io.sluice.runner.SluicePipelineOptions;
import io.sluice.runner.SluicePipelineResult;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.beam.sdk.PipelineResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job crashes (is cancelled, so no final checkpoint is taken) after several checkpoints; its
 * latest checkpoint is then damaged: a flipped byte, a truncated file, the metadata missing. A
 * restore from the job's root must pass over it to the one before and still end with exactly the
 * output of an undisturbed run; a path without checkpoints is refused with a clear error.
 */
class CorruptCheckpointTest {

  private static final long ELEMENTS = 6000;
  private static final long PER_SECOND = 1000;

  @TempDir
  Path temp;

  @Test
  void damagedLatestCheckpointFallsBackToThePreviousOne() throws Exception {
    Path reference = temp.resolve("reference");
    RecoveryJob.runUndisturbed(temp, ELEMENTS, PER_SECOND, reference);

    Path output = temp.resolve("output");
    SluicePipelineOptions options = RecoveryJob.options(temp, "crashing", 2, 100);
    options.setBlockOnRun(false);
    SluicePipelineResult crashing = (SluicePipelineResult) RecoveryJob.build(options, ELEMENTS,
        RecoveryJob.INTERRUPTED_PER_SECOND, output, -1).run();
    RecoveryJob.awaitCheckpoints(crashing, 3);
    assertEquals(PipelineResult.State.CANCELLED, crashing.cancel(), "the job ended before it was cancelled");
    Path root = temp.resolve("checkpoints").resolve("crashing");
    List<Path> checkpoints = checkpoints(root);
    assertTrue(checkpoints.size() >= 2, "retained checkpoints: " + checkpoints);
    Path latest = checkpoints.get(checkpoints.size() - 1);
    Path previous = checkpoints.get(checkpoints.size() - 2);

    // The metadata missing: incomplete.
    Path metadata = latest.resolve("_metadata");
    Path aside = temp.resolve("metadata-aside");
    Files.move(metadata, aside);
    assertEquals(previous, CheckpointStorage.findRestorable(root).directory());
    Files.move(aside, metadata);
    assertEquals(latest, CheckpointStorage.findRestorable(root).directory());

    // A truncated file.
    Path largest = largestStateFile(latest);
    byte[] original = Files.readAllBytes(largest);
    try (FileChannel channel = FileChannel.open(largest, StandardOpenOption.WRITE)) {
      channel.truncate(original.length / 2);
    }
    assertEquals(previous, CheckpointStorage.findRestorable(root).directory());
    Files.write(largest, original);
    assertEquals(latest, CheckpointStorage.findRestorable(root).directory());

    // A flipped byte; then the job restores and must still write exactly the reference's output.
    byte[] flipped = original.clone();
    flipped[flipped.length / 2] ^= 0x10;
    Files.write(largest, flipped);
    assertEquals(previous, CheckpointStorage.findRestorable(root).directory());
    SluicePipelineOptions restore = RecoveryJob.options(temp, "restored", 2, 100);
    restore.setRestoreFrom(root.toString());
    assertEquals(PipelineResult.State.DONE,
        RecoveryJob.build(restore, ELEMENTS, 4 * PER_SECOND, output, -1).run().waitUntilFinish());
    assertEquals(RecoveryJob.outputFiles(reference).keySet(), RecoveryJob.outputFiles(output).keySet());
    assertEquals(RecoveryJob.allLines(reference), RecoveryJob.allLines(output));
  }

  @Test
  void aPathWithoutCheckpointsIsRefused() throws Exception {
    Path empty = Files.createDirectories(temp.resolve("empty"));
    SluicePipelineOptions options = RecoveryJob.options(temp, "nothing", 2, 100);
    options.setRestoreFrom(empty.toString());
    CheckpointException e = assertThrows(CheckpointException.class,
        () -> RecoveryJob.build(options, 10, 100, temp.resolve("out"), -1).run());
    assertTrue(e.getMessage().contains("holds no complete checkpoint") && e.getMessage().contains(empty.toString()),
        e.getMessage());
    options.setRestoreFrom(temp.resolve("missing").toString());
    e = assertThrows(CheckpointException.class, () -> RecoveryJob.build(options, 10, 100, temp.resolve("out"), -1).run());
    assertTrue(e.getMessage().contains("no such directory"), e.getMessage());
  }

  @Test
  void aPipelineWhoseStatefulStepsDifferIsRefusedNamingTheStep() throws Exception {
    SluicePipelineOptions options = RecoveryJob.options(temp, "original", 2, 100);
    options.setBlockOnRun(false);
    SluicePipelineResult original = (SluicePipelineResult) RecoveryJob.build(options, ELEMENTS,
        RecoveryJob.INTERRUPTED_PER_SECOND, temp.resolve("original-out"), -1).run();
    RecoveryJob.awaitCheckpoints(original, 1);
    Path savepoint = original.stopWithSavepoint(org.joda.time.Duration.standardSeconds(30));

    SluicePipelineOptions renamed = RecoveryJob.options(temp, "renamed", 2, 100);
    renamed.setRestoreFrom(savepoint.toString());
    CheckpointException e = assertThrows(CheckpointException.class, () -> RecoveryJob.build(renamed, ELEMENTS,
        PER_SECOND, temp.resolve("renamed-out"), -1, "Summing").run());
    assertTrue(e.getMessage().contains("step 'Sum") && e.getMessage().contains("does not have"), e.getMessage());
  }

  private static List<Path> checkpoints(Path root) throws Exception {
    try (Stream<Path> list = Files.list(root)) {
      return list.filter(d -> d.getFileName().toString().startsWith("chk-") && Files.exists(d.resolve("_metadata")))
          .sorted(Comparator.comparingLong(d -> Long.parseLong(d.getFileName().toString().substring(4))))
          .toList();
    }
  }

  private static Path largestStateFile(Path checkpoint) throws Exception {
    try (Stream<Path> files = Files.walk(checkpoint)) {
      return files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("_metadata"))
          .max(Comparator.comparingLong(f -> f.toFile().length())).orElseThrow();
    }
  }
}

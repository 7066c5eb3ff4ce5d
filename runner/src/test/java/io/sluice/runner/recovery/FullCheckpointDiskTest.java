package io.sluice.runner.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runner.SluicePipelineOptions;
import io.sluice.runner.SluicePipelineResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.PipelineResult;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint directory is a small tmpfs that a filler file makes full while the job runs:
 * checkpoints are declined (and counted), the job goes on, takes checkpoints again once space is
 * freed, and ends with exactly the output of a run without checkpoints. Mounting needs root: CI
 * runs as root and sets SLUICE_REQUIRE_TMPFS=1, so there the test cannot be skipped.
 */
class FullCheckpointDiskTest {

  private static final long ELEMENTS = 8000;
  private static final long PER_SECOND = 1000;

  @TempDir
  Path temp;

  @Test
  void checkpointsAreDeclinedWhileTheDiskIsFullAndTheJobGoesOn() throws Exception {
    Path disk = Files.createDirectories(temp.resolve("disk"));
    boolean mounted = run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", disk.toString());
    if (!"1".equals(System.getenv("SLUICE_REQUIRE_TMPFS"))) {
      Assumptions.assumeTrue(mounted, "cannot mount a tmpfs here (needs root)");
    }
    assertTrue(mounted, "mounting a tmpfs failed, and SLUICE_REQUIRE_TMPFS=1 says this machine can");
    try {
      Path reference = temp.resolve("reference");
      RecoveryJob.runUndisturbed(temp, ELEMENTS, PER_SECOND, reference);

      Path output = temp.resolve("output");
      SluicePipelineOptions options = RecoveryJob.options(temp, "filling", 2, 100);
      options.setStateBackend("heap");
      options.setCheckpointDir(disk.toString());
      options.setBlockOnRun(false);
      SluicePipelineResult job = (SluicePipelineResult) RecoveryJob.build(options, ELEMENTS,
          RecoveryJob.INTERRUPTED_PER_SECOND, output, -1).run();
      RecoveryJob.awaitCheckpoints(job, 1);
      Path filler = disk.resolve("filler");
      fill(filler);
      long deadline = System.currentTimeMillis() + 30_000;
      while (job.checkpointStats().declined() < 2) {
        assertTrue(System.currentTimeMillis() < deadline && !job.getState().isTerminal(),
            "no checkpoint declined on a full disk: " + job.checkpointStats());
        Thread.sleep(10);
      }
      long completedWhileFull = job.checkpointStats().completed();
      Files.delete(filler);
      RecoveryJob.awaitCheckpoints(job, completedWhileFull + 1);
      assertEquals(PipelineResult.State.DONE, job.waitUntilFinish());
      assertEquals(RecoveryJob.outputFiles(reference).keySet(), RecoveryJob.outputFiles(output).keySet());
      assertEquals(RecoveryJob.allLines(reference), RecoveryJob.allLines(output));
    } finally {
      run("umount", "-l", disk.toString());
    }
  }

  /** Writes until the file system says it is full. */
  private static void fill(Path filler) {
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      // No space left: what the test wants.
    }
  }

  private static boolean run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}

package io.sluice.runner.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.runner.SluicePipelineOptions;
import io.sluice.runner.cluster.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.PipelineResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recovery job on a cluster of a coordinator and two worker processes, with a checkpoint every
 * 200 ms: one worker is killed with SIGKILL at a random moment after the first complete
 * checkpoint; the job restarts from its latest checkpoint on the worker that remains and must write
 * exactly the files of a run never disturbed. {@code -Dsluice.kill.rounds=N} repeats it (the soak).
 */
class ClusterKillRecoveryTest {

  private static final long ELEMENTS = 8000;
  private static final long PER_SECOND = 1000;

  @TempDir
  Path temp;

  @Test
  void aKilledWorkersJobResumesFromItsLatestCheckpointOnTheOther() throws Exception {
    Path reference = temp.resolve("reference");
    List<String> expected = RecoveryJob.reference(temp, ELEMENTS, PER_SECOND, reference);

    int rounds = Integer.getInteger("sluice.kill.rounds", 1);
    int passed = 0;
    try (LocalCluster cluster = LocalCluster.start(2, 2, List.of("-Xmx1g"))) {
      for (int round = 1; round <= rounds; round++) {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path dir = temp.resolve("round-" + round);
        Path output = dir.resolve("output");
        Files.createDirectories(output);
        SluicePipelineOptions options = RecoveryJob.options(dir, "cluster-killed-" + round, 2, 200);
        options.setCoordinator(cluster.coordinator().getHostString() + ":" + cluster.coordinator().getPort());
        options.setClusterSecretFile(cluster.secretFile().toString());
        options.setBlockOnRun(false);
        PipelineResult result = RecoveryJob.build(options, ELEMENTS, RecoveryJob.INTERRUPTED_PER_SECOND, output, -1)
            .run();
        Path root = dir.resolve("checkpoints").resolve("cluster-killed-" + round);
        long deadline = System.currentTimeMillis() + 60_000;
        while (!RecoveryJob.hasCompleteCheckpoint(root)) {
          assertEquals(PipelineResult.State.RUNNING, result.getState(), "the job ended before its first checkpoint");
          assertTrue(System.currentTimeMillis() < deadline, "no checkpoint within 60 s");
          Thread.sleep(20);
        }
        long killAfter = random.nextInt(2000);
        int victim = random.nextInt(2);
        Thread.sleep(killAfter);
        assertEquals(PipelineResult.State.RUNNING, result.getState(), "the job finished before it could be killed");
        cluster.killWorker(victim);
        String when = "round " + round + ": worker-" + victim + " killed " + killAfter
            + " ms after the first checkpoint (seed " + seed + ")";
        assertEquals(PipelineResult.State.DONE, result.waitUntilFinish(org.joda.time.Duration.standardMinutes(3)), when);
        assertEquals(RecoveryJob.outputFiles(reference).keySet(), RecoveryJob.outputFiles(output).keySet(),
            "file names, " + when);
        assertEquals(expected, RecoveryJob.allLines(output), "lines, " + when);
        passed++;
        cluster.startWorker(victim);
        cluster.awaitReady(victim);
      }
    }
    assertEquals(rounds, passed);
    if (rounds > 1) {
      System.err.println("cluster kill -9 soak: " + passed + " of " + rounds + " rounds equal to the run never killed");
    }
  }
}

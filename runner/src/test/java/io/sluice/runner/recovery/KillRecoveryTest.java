package io.sluice.runner.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recovery job runs in a JVM of its own, which is killed with SIGKILL at a random moment after
 * its first complete checkpoint; a new JVM with {@code --restoreFrom} the job's checkpoint root
 * finishes it. The files written must be exactly those of a run that was never killed. {@code
 * -Dsluice.kill.rounds=N} repeats it with other kill points (the soak: soak-kill.sh).
 */
class KillRecoveryTest {

  private static final long ELEMENTS = 8000;
  private static final long PER_SECOND = 1000;

  @TempDir
  Path temp;

  @Test
  void killedJvmResumesFromItsLatestCheckpoint() throws Exception {
    Path reference = temp.resolve("reference");
    List<String> expected = RecoveryJob.reference(temp, ELEMENTS, PER_SECOND, reference);

    int rounds = Integer.getInteger("sluice.kill.rounds", 1);
    int passed = 0;
    for (int round = 1; round <= rounds; round++) {
      long seed = System.nanoTime();
      Path dir = temp.resolve("round-" + round);
      Path output = dir.resolve("output");
      Files.createDirectories(output);
      List<String> args = new ArrayList<>(List.of("--runner=SluiceRunner", "--streaming=true", "--parallelism=2",
          "--jobName=killed", "--checkpointingInterval=200", "--checkpointDir=" + dir.resolve("checkpoints"),
          "--stateDirectory=" + dir.resolve("state"), "--elements=" + ELEMENTS, "--output=" + output));
      List<String> killed = new ArrayList<>(args);
      killed.add("--perSecond=" + RecoveryJob.INTERRUPTED_PER_SECOND);
      ForkedJob first = ForkedJob.start(killed, dir.resolve("first.log"));
      Path root = dir.resolve("checkpoints").resolve("killed");
      long deadline = System.currentTimeMillis() + 60_000;
      while (!RecoveryJob.hasCompleteCheckpoint(root)) {
        assertTrue(first.isAlive(), "the job ended before its first checkpoint; log: " + first.log());
        assertTrue(System.currentTimeMillis() < deadline, "no checkpoint within 60 s; log: " + first.log());
        Thread.sleep(20);
      }
      long killAfter = new Random(seed).nextInt(2000);
      Thread.sleep(killAfter);
      assertTrue(first.isAlive(), "the job finished before it could be killed (seed " + seed + ")");
      first.kill();

      List<String> restart = new ArrayList<>(args);
      restart.add("--perSecond=" + 4 * PER_SECOND);
      restart.add("--restoreFrom=" + root);
      ForkedJob second = ForkedJob.start(restart, dir.resolve("second.log"));
      assertEquals(0, second.await(120), "restored job failed; log: " + second.log());
      assertEquals(RecoveryJob.outputFiles(reference).keySet(), RecoveryJob.outputFiles(output).keySet(),
          "file names, round " + round + " (killed " + killAfter + " ms after the first checkpoint)");
      assertEquals(expected, RecoveryJob.allLines(output),
          "lines, round " + round + " (killed " + killAfter + " ms after the first checkpoint)");
      passed++;
    }
    assertEquals(rounds, passed);
    if (rounds > 1) {
      System.err.println("kill -9 soak: " + passed + " of " + rounds + " rounds equal to the run never killed");
    }
  }
}

package io.sluice.portability.jobservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Beam's Python SDK as a client of the job server, in a python3 process. Tests that need it skip
 * where python3 with apache-beam is missing, unless SLUICE_REQUIRE_PYTHON is set (CI sets it after
 * installing apache-beam 2.70.0): then they run.
 */
final class PythonClient {

  private PythonClient() {}

  static void assumeAvailable() {
    assumeTrue(System.getenv("SLUICE_REQUIRE_PYTHON") != null || hasBeam(),
        "python3 with apache-beam 2.70.0 is not installed");
  }

  /** Runs python3 with {@code args}; returns what it printed, after checking it exited 0 within 5 minutes. */
  static String run(Path log, String... args) throws Exception {
    Ended ended = launch(log, args);
    assertEquals(0, ended.exitCode(), "python3 " + String.join(" ", args) + " failed:\n" + ended.output());
    return ended.output();
  }

  /** Runs python3 with {@code args}, which must fail within 5 minutes; returns what it printed. */
  static String runFailing(Path log, String... args) throws Exception {
    Ended ended = launch(log, args);
    assertTrue(ended.exitCode() > 0, "python3 " + String.join(" ", args) + " should have failed:\n" + ended.output());
    return ended.output();
  }

  /** How a python3 run ended: its exit code (-1 if it was stopped after 5 minutes) and output. */
  private record Ended(int exitCode, String output) {}

  private static Ended launch(Path log, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("python3"));
    command.addAll(List.of(args));
    Process python = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean ended = python.waitFor(5, TimeUnit.MINUTES);
    if (!ended) {
      python.destroyForcibly().waitFor();
    }
    return new Ended(ended ? python.exitValue() : -1, Files.readString(log));
  }

  private static boolean hasBeam() {
    try {
      Process p = new ProcessBuilder("python3", "-c", "import apache_beam").start();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}

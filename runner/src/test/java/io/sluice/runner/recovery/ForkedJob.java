package io.sluice.runner.recovery;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@link RecoveryJob#main} in a JVM of its own, which a test can kill with SIGKILL. */
final class ForkedJob {

  private final Process process;
  private final Path log;

  private ForkedJob(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static ForkedJob start(List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(RecoveryJob.class.getName());
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new ForkedJob(process, log);
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook, no flush, no final checkpoint. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Waits for the JVM to exit, at most {@code seconds}; its exit code, or throws with its log's path. */
  int await(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("forked job did not finish in " + seconds + " s; its log: " + log);
    }
    return process.exitValue();
  }

  Path log() {
    return log;
  }
}

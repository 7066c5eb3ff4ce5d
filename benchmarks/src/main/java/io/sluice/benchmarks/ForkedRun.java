package io.sluice.benchmarks;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One benchmark run in a fresh JVM (RunWorkload), its wall time and figures added to its measurement. */
final class ForkedRun {

  private ForkedRun() {}

  /**
   * Runs each of {@code specs} {@code warmup} times unrecorded, then {@code reps} times recorded,
   * the order rotating each round so that no run always follows the same neighbour.
   */
  static void alternating(List<Measurement> specs, int warmup, int reps, String classpath, Path data, Path logs,
      String heap, long timeout) throws Exception {
    for (int w = 0; w < warmup; w++) {
      for (Measurement m : specs) {
        runOnce(m, "warmup" + w, 1, false, classpath, data, logs, heap, timeout);
      }
    }
    for (int rep = 0; rep < reps; rep++) {
      for (int k = 0; k < specs.size(); k++) {
        Measurement m = specs.get((k + rep) % specs.size());
        if (m.failure == null) {
          runOnce(m, "rep" + rep, 1, true, classpath, data, logs, heap, timeout);
        }
      }
    }
  }

  /** Runs one fresh JVM; records its wall time (start-up included) unless it is a warm-up. */
  static void runOnce(Measurement m, String label, int repeat, boolean record, String classpath, Path data,
      Path logs, String heap, long timeout) throws Exception {
    Path runOut = Files.createTempDirectory("sluice-bench-");
    Path logFile = logs.resolve(m.workload + "-" + m.runner + (m.extraArgs.isEmpty() ? "" : "-variant") + "-" + m.size
        + "-" + label + ".log");
    List<String> command = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + heap,
        "-Dbench.args=" + m.extraArgs,
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-Dbench.latencyRate=" + System.getProperty("bench.latencyRate", "10000"),
        "-cp", m.runner.classpathFor(classpath),
        RunWorkload.class.getName(),
        m.workload, m.runner.name(), Long.toString(m.size), data.toAbsolutePath().toString(),
        runOut.toString(), Integer.toString(repeat)));
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
    boolean finished = process.waitFor(timeout, TimeUnit.SECONDS);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    deleteTree(runOut.toFile());
    if (!finished) {
      process.destroyForcibly().waitFor();
      m.failure = "did not finish within " + timeout + " s";
      log("%s %s size %d %s: TIMEOUT after %d s", m.workload, m.runner.label(), m.size, label, timeout);
      return;
    }
    String result = "";
    for (String line : Files.readAllLines(logFile, StandardCharsets.UTF_8)) {
      if (line.startsWith("BENCH-RESULT ")) {
        result = line;
      } else if (line.startsWith("BENCH-EXTRA ") && record) {
        m.extra.add(line.substring("BENCH-EXTRA ".length()));
      }
    }
    if (process.exitValue() != 0 || !result.contains("ok=true")) {
      m.failure = result.isEmpty() ? "exit code " + process.exitValue() + ", see " + logFile : result;
      log("%s %s size %d %s: FAILED (%s)", m.workload, m.runner.label(), m.size, label, m.failure);
      return;
    }
    Map<String, String> fields = new HashMap<>();
    for (String part : result.substring("BENCH-RESULT ".length()).split(" ")) {
      fields.put(part.substring(0, part.indexOf('=')), part.substring(part.indexOf('=') + 1));
    }
    log("%s %s size %d %s: %d ms (in JVM %s)", m.workload, m.runner.label(), m.size, label, millis,
        fields.get("inJvmMillis"));
    if (!record) {
      return;
    }
    m.peakRssKb.add(Long.parseLong(fields.get("peakRssKb")));
    if (repeat > 1) {
      String[] runs = fields.get("inJvmMillis").replace("[", "").replace("]", "").split(",");
      // The later half: a warm JVM.
      for (int i = runs.length / 2; i < runs.length; i++) {
        m.warmInJvmMillis.add(Long.parseLong(runs[i]));
      }
    }
    m.wallMillis.add(millis);
    m.cpuMillis.add(Long.parseLong(fields.getOrDefault("cpuMillis", "-1")));
    m.compileMillis.add(Long.parseLong(fields.getOrDefault("compileMillis", "-1")));
    m.checkpoints.add(fields.getOrDefault("checkpoints", "none"));
  }

  private static void deleteTree(File f) {
    File[] children = f.listFiles();
    if (children != null) {
      for (File c : children) {
        deleteTree(c);
      }
    }
    f.delete();
  }

  private static void log(String format, Object... args) {
    System.err.printf("[bench] " + format + "%n", args);
  }
}

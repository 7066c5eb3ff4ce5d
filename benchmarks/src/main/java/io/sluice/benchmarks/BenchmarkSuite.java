package io.sluice.benchmarks;

import io.sluice.benchmarks.workloads.Workload;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs every workload on SluiceRunner, FlinkRunner and the plain-Java floor at full size, and on
 * SluiceRunner and DirectRunner at a reduced size (the DirectRunner does not finish the full sizes
 * in minutes), each run in a fresh JVM so that start-up counts, runners alternating, several
 * repetitions after a warm-up; then writes the report. Options, as --name=value:
 * workloads (comma list or all), reps (3), warmup (1), scale (1.0: times the default sizes),
 * directScale (0.001), runners (SLUICE,FLINK,PLAIN_JAVA,DIRECT), timeoutSeconds (900), warmRepeats (20: in-JVM runs of the tiny pipeline),
 * out (benchmarks/results), data (benchmarks/target/bench-data), heap (4g).
 */
public final class BenchmarkSuite {

  private final Map<String, String> options;
  private final String classpath = System.getProperty("java.class.path");
  private final Path out;
  private final Path data;
  private final Path logs;

  private BenchmarkSuite(Map<String, String> options) {
    this.options = options;
    this.out = Paths.get(option("out", "benchmarks/results"));
    this.data = Paths.get(option("data", "benchmarks/target/bench-data"));
    this.logs = Paths.get(option("logs", "benchmarks/target/bench-logs"));
  }

  private String option(String name, String fallback) {
    return options.getOrDefault(name, fallback);
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("arguments are --name=value, got " + arg);
      }
      options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
    }
    new BenchmarkSuite(options).run();
  }

  private void run() throws Exception {
    Files.createDirectories(out);
    Files.createDirectories(data);
    Files.createDirectories(logs);
    List<String> names = "all".equals(option("workloads", "all"))
        ? Workloads.ALL.keySet().stream()
            .filter(n -> (!Workloads.STREAMING.contains(n) || n.equals(Workloads.STREAMING.get(0)))
                && !n.equals("streaming-latency"))
            .collect(java.util.stream.Collectors.toList())
        : Arrays.asList(option("workloads", "all").split(","));
    int reps = Integer.parseInt(option("reps", "3"));
    int warmup = Integer.parseInt(option("warmup", "1"));
    double scale = Double.parseDouble(option("scale", "1.0"));
    double directScale = Double.parseDouble(option("directScale", "0.001"));
    long started = System.nanoTime();
    List<Measurement> results = new ArrayList<>();
    Map<String, Map<Runner, Measurement>> warm = new LinkedHashMap<>();
    for (String name : names) {
      Workload workload = Workloads.get(name);
      long size = Math.max(1, (long) (Workloads.DEFAULT_SIZES.get(name) * scale));
      long smallSize = name.equals("tiny") ? size : Math.max(1, (long) (size * directScale));
      List<Measurement> specs = new ArrayList<>();
      java.util.Set<String> wanted = new java.util.HashSet<>(Arrays.asList(
          option("runners", "SLUICE,FLINK,PLAIN_JAVA,DIRECT").split(",")));
      for (Runner r : List.of(Runner.SLUICE, Runner.FLINK, Runner.PLAIN_JAVA)) {
        if (wanted.contains(r.name())) {
          specs.add(new Measurement(name, r, size, workload.records(size)));
        }
      }
      if (wanted.contains(Runner.DIRECT.name())) {
        for (Runner r : List.of(Runner.SLUICE, Runner.DIRECT)) {
          specs.add(new Measurement(name, r, smallSize, workload.records(smallSize)));
        }
      }
      log("%s: preparing input (size %d and %d)", name, size, smallSize);
      workload.prepare(size, data);
      workload.prepare(smallSize, data);
      for (int w = 0; w < warmup; w++) {
        for (Measurement m : specs) {
          runOnce(m, "warmup" + w, 1, false);
        }
      }
      for (int rep = 0; rep < reps; rep++) {
        // Alternate the order, so no runner always follows the same neighbour.
        for (int k = 0; k < specs.size(); k++) {
          Measurement m = specs.get((k + rep) % specs.size());
          if (m.failure == null) {
            runOnce(m, "rep" + rep, 1, true);
          }
        }
      }
      results.addAll(specs);
      if (name.equals("tiny")) {
        int repeats = Integer.parseInt(option("warmRepeats", "20"));
        Map<Runner, Measurement> byRunner = new LinkedHashMap<>();
        for (Runner r : List.of(Runner.SLUICE, Runner.DIRECT, Runner.FLINK)) {
          if (!wanted.contains(r.name())) {
            continue;
          }
          Measurement m = new Measurement(name, r, size, workload.records(size));
          runOnce(m, "warm", repeats, true);
          byRunner.put(r, m);
        }
        warm.put(name, byRunner);
      }
    }
    long minutes = TimeUnit.NANOSECONDS.toMinutes(System.nanoTime() - started);
    Report report = new Report(results, warm, reps, warmup, scale, directScale, minutes);
    String markdown = report.markdown();
    Files.writeString(out.resolve("RESULTS.md"), markdown, StandardCharsets.UTF_8);
    Files.writeString(out.resolve("raw.csv"), report.csv(), StandardCharsets.UTF_8);
    RatioChart.write(report, out.resolve("ratios.png"));
    System.out.println(markdown);
    log("wrote %s, %s and %s", out.resolve("RESULTS.md"), out.resolve("raw.csv"), out.resolve("ratios.png"));
  }

  private void runOnce(Measurement m, String label, int repeat, boolean record) throws Exception {
    ForkedRun.runOnce(m, label, repeat, record, classpath, data, logs, option("heap", "4g"),
        Long.parseLong(option("timeoutSeconds", "900")));
  }

  private static void log(String format, Object... args) {
    System.err.printf("[bench] " + format + "%n", args);
  }
}

package io.sluice.benchmarks;

import io.sluice.benchmarks.workloads.Workload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The streaming workloads side by side: Sluice with RocksDB (its default) and with heap state, the
 * FlinkRunner in streaming mode (heap state, its default) and the plain-Java floor, each run in a
 * fresh JVM, the contenders alternating, several repetitions after a warm-up; writes STREAMING.md
 * with median wall times (start-up included), ratios to the FlinkRunner and peak RSS. Options, as
 * --name=value: workloads (all five), reps (3), warmup (1), scale (1.0), runners
 * (SLUICE,SLUICE_HEAP,FLINK,PLAIN_JAVA), args (pipeline options added to every Beam runner, e.g.
 * checkpoints; Flink-only ones follow flinkArgs), out (benchmarks/results), data, logs, heap (4g),
 * timeoutSeconds (900).
 */
public final class StreamingBenchmark {

  private static final String LATENCY = "streaming-latency";

  private StreamingBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchOptions bench = new BenchOptions(args);
    Map<String, String> options = bench.asMap();
    List<String> names = new ArrayList<>(options.containsKey("workloads")
        ? Arrays.asList(options.get("workloads").split(",")) : Workloads.STREAMING);
    if (!options.containsKey("workloads")) {
      names.add(LATENCY);
    }
    int reps = Integer.parseInt(options.getOrDefault("reps", "3"));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "1"));
    double scale = Double.parseDouble(options.getOrDefault("scale", "1.0"));
    String extra = options.getOrDefault("args", "");
    String flinkExtra = options.getOrDefault("flinkArgs", "");
    Path out = bench.out;
    Path data = bench.data;
    Path logs = bench.logs;
    String heap = options.getOrDefault("heap", "4g");
    long timeout = Long.parseLong(options.getOrDefault("timeoutSeconds", "900"));
    List<Runner> runners = new ArrayList<>();
    for (String r : options.getOrDefault("runners", "SLUICE,SLUICE_HEAP,FLINK,PLAIN_JAVA").split(",")) {
      runners.add(Runner.valueOf(r));
    }
    String classpath = System.getProperty("java.class.path");

    Map<String, Map<Runner, Measurement>> all = new LinkedHashMap<>();
    for (String name : names) {
      Workload workload = Workloads.get(name);
      long size = Math.max(1, (long) (Workloads.DEFAULT_SIZES.get(name) * scale));
      workload.prepare(size, data);
      Map<Runner, Measurement> byRunner = new LinkedHashMap<>();
      for (Runner r : runners) {
        if (name.equals(LATENCY) && !r.isBeam()) {
          continue;
        }
        String runnerArgs = !r.isBeam() ? "" : (extra + (r == Runner.FLINK ? " " + flinkExtra : "")).trim();
        byRunner.put(r, new Measurement(name, r, size, workload.records(size), runnerArgs));
      }
      all.put(name, byRunner);
      ForkedRun.alternating(new ArrayList<>(byRunner.values()), warmup, reps, classpath, data, logs, heap, timeout);
    }
    String report = report(all, runners, reps, warmup, scale, extra);
    Files.writeString(out.resolve("STREAMING.md"), report, StandardCharsets.UTF_8);
    System.out.println(report);
  }

  private static String report(Map<String, Map<Runner, Measurement>> all, List<Runner> runners, int reps, int warmup,
      double scale, String extra) {
    StringBuilder md = new StringBuilder("# Streaming workloads\n\n");
    md.append(String.format(Locale.ROOT, "Parallelism 2, scale %.2f, median wall time of %d runs (each a fresh JVM, start-up"
        + " included) after %d warm-up, contenders alternating; %s. Produced by `StreamingBenchmark`. Ratios are"
        + " time over the FlinkRunner's: at most 0.2 is the goal (5x its throughput).%n%n", scale, reps, warmup,
        extra.isEmpty() ? "checkpoints off" : "extra options `" + extra + "`"));
    md.append("| workload | records |");
    for (Runner r : runners) {
      md.append(' ').append(r.label()).append(" |");
    }
    for (Runner r : runners) {
      if (r != Runner.FLINK && r.isBeam() && runners.contains(Runner.FLINK)) {
        md.append(' ').append(r.label()).append(" / Flink |");
      }
    }
    md.append("\n|---|---:|");
    md.append("---:|".repeat(runners.size()));
    for (Runner r : runners) {
      if (r != Runner.FLINK && r.isBeam() && runners.contains(Runner.FLINK)) {
        md.append("---:|");
      }
    }
    md.append('\n');
    Map<Runner, Measurement> latency = all.remove(LATENCY);
    for (Map.Entry<String, Map<Runner, Measurement>> e : all.entrySet()) {
      Map<Runner, Measurement> byRunner = e.getValue();
      md.append("| ").append(e.getKey()).append(" | ")
          .append(byRunner.values().iterator().next().records).append(" |");
      for (Runner r : runners) {
        Measurement m = byRunner.get(r);
        md.append(' ').append(m == null ? "-" : m.ok() ? String.format(Locale.ROOT, "%.2f s", m.medianWallMillis() / 1000.0)
            : "failed: " + m.failure).append(" |");
      }
      Measurement flink = byRunner.get(Runner.FLINK);
      for (Runner r : runners) {
        if (r != Runner.FLINK && r.isBeam() && flink != null) {
          Measurement m = byRunner.get(r);
          md.append(' ').append(m.ok() && flink.ok()
              ? String.format(Locale.ROOT, "%.2f", (double) m.medianWallMillis() / flink.medianWallMillis()) : "n/a")
              .append(" |");
        }
      }
      md.append('\n');
    }
    md.append("\nPeak RSS (largest of the runs):\n\n| workload |");
    for (Runner r : runners) {
      md.append(' ').append(r.label()).append(" |");
    }
    md.append("\n|---|").append("---:|".repeat(runners.size())).append('\n');
    for (Map.Entry<String, Map<Runner, Measurement>> e : all.entrySet()) {
      md.append("| ").append(e.getKey()).append(" |");
      for (Runner r : runners) {
        Measurement m = e.getValue().get(r);
        md.append(' ').append(m.ok() ? m.maxPeakRssMb() + " MB" : "n/a").append(" |");
      }
      md.append('\n');
    }
    if (latency != null) {
      Measurement any = latency.values().iterator().next();
      md.append(String.format(Locale.ROOT, "%nLatency (`%s`: %d records at a fixed rate, a trigger firing per element,"
          + " time from an element's creation to the output of the pane holding it; per run p50 / p99 / max):%n%n"
          + "| runner | runs |%n|---|---|%n", LATENCY, any.records));
      latency.forEach((r, m) -> md.append("| ").append(r.label()).append(" | ")
          .append(m.ok() ? String.join("; ", m.extra) : "failed: " + m.failure).append(" |\n"));
    }
    return md.toString();
  }
}

package io.sluice.benchmarks;

import io.sluice.benchmarks.workloads.Workload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What checkpoints cost: a streaming workload on each runner with checkpoints off and every
 * {@code interval} ms, each run in a fresh JVM, a runner's two variants back to back in alternating
 * order, several repetitions after a warm-up; writes CHECKPOINTS.md with the throughput cost per
 * runner (median of the repetitions' on/off ratios, in wall and in CPU time) and, for Sluice, the
 * checkpoints' durations and bytes (written anew against shared with earlier checkpoints). Options,
 * as --name=value: workload (streaming-windowed-count), interval (1000), reps (3), warmup (1),
 * scale (1.0), runners (SLUICE,FLINK), out (benchmarks/results), data, logs, heap (4g),
 * timeoutSeconds (900).
 */
public final class CheckpointBenchmark {

  private CheckpointBenchmark() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
    }
    String name = options.getOrDefault("workload", "streaming-windowed-count");
    long interval = Long.parseLong(options.getOrDefault("interval", "1000"));
    int reps = Integer.parseInt(options.getOrDefault("reps", "3"));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "1"));
    double scale = Double.parseDouble(options.getOrDefault("scale", "1.0"));
    Path out = Paths.get(options.getOrDefault("out", "benchmarks/results"));
    Path data = Paths.get(options.getOrDefault("data", "benchmarks/target/bench-data"));
    Path logs = Paths.get(options.getOrDefault("logs", "benchmarks/target/bench-logs"));
    String heap = options.getOrDefault("heap", "4g");
    long timeout = Long.parseLong(options.getOrDefault("timeoutSeconds", "900"));
    String classpath = System.getProperty("java.class.path");
    Files.createDirectories(out);
    Files.createDirectories(data);
    Files.createDirectories(logs);

    Workload workload = Workloads.get(name);
    long size = Math.max(1, (long) (Workloads.DEFAULT_SIZES.get(name) * scale));
    workload.prepare(size, data);
    List<Measurement[]> pairs = new ArrayList<>();
    for (String r : options.getOrDefault("runners", "SLUICE,FLINK").split(",")) {
      Runner runner = Runner.valueOf(r);
      String checkpointing = "--checkpointingInterval=" + interval;
      if (runner == Runner.FLINK) {
        // Flink's default checkpoint storage keeps state in the JobManager's memory and refuses more
        // than 5 MB: it writes files, as Sluice does (heap state, files per checkpoint). With
        // checkpoints on, the FlinkRunner keeps finished sources running unless told otherwise,
        // and the job would never end.
        checkpointing += " --stateBackend=filesystem --stateBackendStoragePath="
            + logs.toAbsolutePath().resolve("flink-checkpoints").toUri() + " --shutdownSourcesAfterIdleMs=0";
      }
      pairs.add(new Measurement[] {
          new Measurement(name, runner, size, workload.records(size)),
          new Measurement(name, runner, size, workload.records(size), checkpointing)});
    }
    List<Measurement> all = new ArrayList<>();
    pairs.forEach(p -> all.addAll(Arrays.asList(p)));
    for (int w = 0; w < warmup; w++) {
      for (Measurement m : all) {
        ForkedRun.runOnce(m, "warmup" + w, 1, false, classpath, data, logs, heap, timeout);
      }
    }
    // Each runner's two variants run back to back, in alternating order, so that each repetition
    // gives one ratio measured under the same machine conditions; the cost is the median ratio.
    for (int rep = 0; rep < reps; rep++) {
      for (Measurement[] pair : pairs) {
        for (int k = 0; k < 2; k++) {
          Measurement m = pair[(k + rep) % 2];
          if (m.failure == null) {
            ForkedRun.runOnce(m, "rep" + rep, 1, true, classpath, data, logs, heap, timeout);
          }
        }
      }
    }
    String report = report(name, interval, reps, warmup, scale, pairs);
    Files.writeString(out.resolve("CHECKPOINTS.md"), report, StandardCharsets.UTF_8);
    System.out.println(report);
  }

  private static String report(String name, long interval, int reps, int warmup, double scale,
      List<Measurement[]> pairs) {
    StringBuilder md = new StringBuilder();
    md.append("# Checkpoint cost\n\n");
    md.append(String.format(Locale.ROOT, "Workload `%s` (scale %.2f), checkpoints every %d ms against none; each run a"
        + " fresh JVM, wall time with start-up; %d repetitions after %d warm-up, each a runner's two variants back to"
        + " back in alternating order. The cost is the median of the repetitions' on/off ratios, in wall time and in"
        + " the process's CPU time (native threads included: on a shared machine it moves less with the neighbours),"
        + " and in that CPU time less the JIT compilers' time: in a run of seconds the compilers take a third of the"
        + " CPU, and the checkpoint code path is compiled once per JVM however long the job runs."
        + " Produced by `CheckpointBenchmark`.%n%n", name, scale, interval, reps, warmup));
    md.append("Sluice keeps its state in RocksDB (its default); Flink in its heap backend, checkpointed to files"
        + " (`--stateBackend=filesystem`: its default storage refuses state over 5 MB), with"
        + " `--shutdownSourcesAfterIdleMs=0` (else, with checkpoints on, its finished sources keep the job"
        + " running forever).\n\n");
    md.append("| runner | off (median) | on (median) | wall-time cost | CPU-time cost | CPU-time cost, JIT aside"
        + " | wall-time costs per repetition |\n|---|---:|---:|---:|---:|---:|---|\n");
    for (Measurement[] p : pairs) {
      boolean ok = p[0].ok() && p[1].ok() && p[0].wallMillis.size() == p[1].wallMillis.size();
      boolean jitKnown = ok && !p[0].compileMillis.contains(-1L) && !p[1].compileMillis.contains(-1L);
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", p[0].runner.label(),
          seconds(p[0]), seconds(p[1]), ok ? percent(medianRatio(p[1].wallMillis, p[0].wallMillis)) : "n/a",
          ok ? percent(medianRatio(p[1].cpuMillis, p[0].cpuMillis)) : "n/a",
          jitKnown ? percent(medianRatio(difference(p[1].cpuMillis, p[1].compileMillis),
              difference(p[0].cpuMillis, p[0].compileMillis))) : "n/a",
          ok ? ratios(p[1].wallMillis, p[0].wallMillis) : ""));
    }
    for (Measurement[] p : pairs) {
      if (p[0].runner != Runner.SLUICE) {
        continue;
      }
      md.append("\nSluice's checkpoints, per run (durations from trigger to metadata written; bytes written anew"
          + " against bytes of files earlier checkpoints had written and this one reuses):\n\n");
      md.append("| run | completed | declined | p50 | p99 | written per checkpoint | shared per checkpoint |"
          + " written / (written + shared) |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
      for (int i = 0; i < p[1].checkpoints.size(); i++) {
        String[] f = p[1].checkpoints.get(i).split(":");
        if (f.length < 6) {
          continue;
        }
        long completed = Long.parseLong(f[0]);
        long written = Long.parseLong(f[4]);
        long shared = Long.parseLong(f[5]);
        md.append(String.format(Locale.ROOT, "| %d | %d | %s | %s ms | %s ms | %.1f KiB | %.1f KiB | %.2f |%n", i + 1,
            completed, f[1], f[2], f[3], completed == 0 ? 0 : written / 1024.0 / completed,
            completed == 0 ? 0 : shared / 1024.0 / completed,
            written + shared == 0 ? 0 : (double) written / (written + shared)));
      }
    }
    return md.toString();
  }

  private static List<Long> difference(List<Long> a, List<Long> b) {
    List<Long> d = new java.util.ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      d.add(a.get(i) - b.get(i));
    }
    return d;
  }

  private static double medianRatio(List<Long> on, List<Long> off) {
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < on.size(); i++) {
      ratios.add((double) on.get(i) / off.get(i));
    }
    Collections.sort(ratios);
    int n = ratios.size();
    return n % 2 == 1 ? ratios.get(n / 2) : (ratios.get(n / 2 - 1) + ratios.get(n / 2)) / 2;
  }

  private static String ratios(List<Long> on, List<Long> off) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < on.size(); i++) {
      out.append(i == 0 ? "" : ", ").append(percent((double) on.get(i) / off.get(i)));
    }
    return out.toString();
  }

  private static String percent(double ratio) {
    return String.format(Locale.ROOT, "%+.1f %%", 100 * ratio - 100);
  }

  private static String seconds(Measurement m) {
    return m.ok() ? String.format(Locale.ROOT, "%.2f s", m.medianWallMillis() / 1000.0) : "failed: " + m.failure;
  }
}

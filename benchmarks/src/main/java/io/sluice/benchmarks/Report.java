package io.sluice.benchmarks;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The benchmark results as Markdown and CSV, with the ratios the speed goals are stated in. */
final class Report {

  private final List<Measurement> results;
  private final Map<String, Map<Runner, Measurement>> warm;
  private final int reps;
  private final int warmup;
  private final double scale;
  private final double directScale;
  private final long minutes;

  Report(List<Measurement> results, Map<String, Map<Runner, Measurement>> warm, int reps, int warmup, double scale,
      double directScale, long minutes) {
    this.results = results;
    this.warm = warm;
    this.reps = reps;
    this.warmup = warmup;
    this.scale = scale;
    this.directScale = directScale;
    this.minutes = minutes;
  }

  Set<String> workloads() {
    Set<String> names = new LinkedHashSet<>();
    for (Measurement m : results) {
      names.add(m.workload);
    }
    return names;
  }

  /** The measurement of {@code workload} on {@code runner}; the full-size one unless {@code small}. */
  Measurement find(String workload, Runner runner, boolean small) {
    Measurement best = null;
    for (Measurement m : results) {
      if (m.workload.equals(workload) && m.runner == runner) {
        if (best == null || (small ? m.size < best.size : m.size > best.size)) {
          best = m;
        }
      }
    }
    return best;
  }

  /** time(a) / time(b), or NaN where either failed. */
  static double ratio(Measurement a, Measurement b) {
    if (a == null || b == null || !a.ok() || !b.ok()) {
      return Double.NaN;
    }
    return (double) a.medianWallMillis() / b.medianWallMillis();
  }

  private static String time(Measurement m) {
    if (m == null) {
      return "-";
    }
    if (!m.ok()) {
      return "failed: " + m.failure;
    }
    return String.format(Locale.ROOT, "%.2f s", m.medianWallMillis() / 1000.0);
  }

  private static String num(double d, String format) {
    return Double.isNaN(d) ? "-" : String.format(Locale.ROOT, format, d);
  }

  String markdown() {
    StringBuilder sb = new StringBuilder("# Sluice benchmarks\n\n");
    sb.append("Run ").append(ZonedDateTime.now().withNano(0)).append(" on ").append(machine()).append(".\n\n");
    sb.append(String.format(Locale.ROOT, "Each run is a fresh JVM (-Xmx4g; start-up included in the wall time), runners"
        + " alternating, %d warm-up round(s), median of %d repetitions, parallelism 2; sizes x%s of the defaults;"
        + " the whole run took %d min. Every run checks its own result (count or checksum): a wrong result is a failure."
        + " Ratios are of median wall times: Sluice/X < 1 means Sluice is faster.%n%n", warmup, reps,
        num(scale, "%.3g"), minutes));

    sb.append("## Full size: Sluice, FlinkRunner and the plain-Java floor\n\n");
    sb.append("| workload | size | Sluice | Flink | plain Java | Sluice/Flink | Sluice/plain | Sluice records/s | Flink records/s"
        + " | peak RSS MB (Sluice / Flink / plain) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String w : workloads()) {
      Measurement s = find(w, Runner.SLUICE, false);
      Measurement f = find(w, Runner.FLINK, false);
      Measurement p = find(w, Runner.PLAIN_JAVA, false);
      if (s == null) {
        continue;
      }
      sb.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %s | %s | %s | %d / %d / %d |%n", w, s.size,
          time(s), time(f), time(p), num(ratio(s, f), "%.3f"), num(ratio(s, p), "%.2f"),
          num(s.recordsPerSecond(), "%,.0f"), num(f == null ? Double.NaN : f.recordsPerSecond(), "%,.0f"),
          s.maxPeakRssMb(), f == null ? -1 : f.maxPeakRssMb(), p == null ? -1 : p.maxPeakRssMb()));
    }

    sb.append(String.format(Locale.ROOT, "%n## Reduced size (x%s): Sluice and the DirectRunner%n%n", num(directScale, "%.3g")));
    sb.append("| workload | size | Sluice | Direct | Sluice/Direct | peak RSS MB (Sluice / Direct) |\n|---|---:|---:|---:|---:|---:|\n");
    for (String w : workloads()) {
      Measurement s = find(w, Runner.SLUICE, true);
      Measurement d = find(w, Runner.DIRECT, true);
      if (s == null || d == null) {
        continue;
      }
      sb.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %d / %d |%n", w, d.size, time(s), time(d),
          num(ratio(s, d), "%.3f"), s.maxPeakRssMb(), d.maxPeakRssMb()));
    }

    for (Map.Entry<String, Map<Runner, Measurement>> e : warm.entrySet()) {
      sb.append(String.format(Locale.ROOT, "%n## Warm JVM: the %s pipeline, median of the later half of in-JVM runs%n%n"
          + "| runner | median | runs |%n|---|---:|---:|%n", e.getKey()));
      for (Measurement m : e.getValue().values()) {
        sb.append(String.format(Locale.ROOT, "| %s | %s | %d |%n", m.runner.label(),
            m.ok() ? Measurement.median(m.warmInJvmMillis) + " ms" : "failed: " + m.failure, m.warmInJvmMillis.size()));
      }
    }
    sb.append("\n## Goals\n\n");
    for (String w : workloads()) {
      double vsFlink = ratio(find(w, Runner.SLUICE, false), find(w, Runner.FLINK, false));
      sb.append(String.format(Locale.ROOT, "- %s: Sluice/Flink %s (goal <= 0.2): %s%n", w, num(vsFlink, "%.3f"),
          Double.isNaN(vsFlink) ? "not measured" : vsFlink <= 0.2 ? "met" : "MISSED"));
    }
    double vsPlain = ratio(find("wordcount", Runner.SLUICE, false), find("wordcount", Runner.PLAIN_JAVA, false));
    sb.append(String.format(Locale.ROOT, "- wordcount: Sluice/plain Java %s (goal <= 2): %s%n", num(vsPlain, "%.2f"),
        Double.isNaN(vsPlain) ? "not measured" : vsPlain <= 2 ? "met" : "MISSED"));
    Map<Runner, Measurement> tiny = warm.get("tiny");
    if (tiny != null && tiny.get(Runner.SLUICE).ok()) {
      long ms = Measurement.median(tiny.get(Runner.SLUICE).warmInJvmMillis);
      sb.append(String.format(Locale.ROOT, "- tiny in a warm JVM: %d ms (goal < 300 ms): %s%n", ms, ms < 300 ? "met" : "MISSED"));
    }
    return sb.toString();
  }

  String csv() {
    StringBuilder sb = new StringBuilder("workload,runner,size,records,run,wall_ms,peak_rss_kb,failure\n");
    for (Measurement m : results) {
      for (int i = 0; i < m.wallMillis.size(); i++) {
        sb.append(String.join(",", m.workload, m.runner.name(), Long.toString(m.size), Long.toString(m.records),
            Integer.toString(i), Long.toString(m.wallMillis.get(i)), Long.toString(m.peakRssKb.get(i)), "")).append('\n');
      }
      if (m.failure != null) {
        sb.append(String.join(",", m.workload, m.runner.name(), Long.toString(m.size), Long.toString(m.records), "", "", "",
            '"' + m.failure.replace('"', '\'') + '"')).append('\n');
      }
    }
    return sb.toString();
  }

  private static String machine() {
    List<String> parts = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          parts.add(line.substring(line.indexOf(':') + 1).trim());
          break;
        }
      }
      for (String line : Files.readAllLines(Paths.get("/proc/meminfo"))) {
        if (line.startsWith("MemTotal")) {
          long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          parts.add(kb / 1024 / 1024 + " GiB RAM");
        }
      }
    } catch (Exception e) {
      parts.add("(no /proc)");
    }
    parts.add(Runtime.getRuntime().availableProcessors() + " cores");
    parts.add(System.getProperty("os.name") + " " + System.getProperty("os.version"));
    parts.add("Java " + System.getProperty("java.version"));
    return String.join(", ", parts);
  }
}

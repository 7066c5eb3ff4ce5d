package io.sluice.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The runs of one workload at one size on one runner. */
final class Measurement {

  final String workload;
  final Runner runner;
  final long size;
  final long records;
  final List<Long> wallMillis = new ArrayList<>();
  /** What a run reported besides its time ("BENCH-EXTRA" lines: latency percentiles). */
  final List<String> extra = new ArrayList<>();
  /** The process's CPU time per recorded run, in the order of {@link #wallMillis}. */
  final List<Long> cpuMillis = new ArrayList<>();
  /** The JIT compilers' time per recorded run (-1 where not known), in the order of {@link #wallMillis}. */
  final List<Long> compileMillis = new ArrayList<>();
  final List<Long> peakRssKb = new ArrayList<>();
  final List<Long> warmInJvmMillis = new ArrayList<>();
  /** Each run's checkpoint figures as RunWorkload reports them ("none" without checkpoints). */
  final List<String> checkpoints = new ArrayList<>();
  /** Pipeline options added to the runner's, for a variant (checkpointing on): empty for none. */
  final String extraArgs;
  String failure;

  Measurement(String workload, Runner runner, long size, long records) {
    this(workload, runner, size, records, "");
  }

  Measurement(String workload, Runner runner, long size, long records, String extraArgs) {
    this.workload = workload;
    this.runner = runner;
    this.size = size;
    this.records = records;
    this.extraArgs = extraArgs;
  }

  boolean ok() {
    return failure == null && !wallMillis.isEmpty();
  }

  static long median(List<Long> values) {
    if (values.isEmpty()) {
      return -1;
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  long medianWallMillis() {
    return median(wallMillis);
  }

  long maxPeakRssMb() {
    return peakRssKb.stream().mapToLong(Long::longValue).max().orElse(-1) / 1024;
  }

  double recordsPerSecond() {
    long m = medianWallMillis();
    return m <= 0 ? 0 : records * 1000.0 / m;
  }
}

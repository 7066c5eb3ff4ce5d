package io.sluice.benchmarks;

import io.sluice.benchmarks.workloads.CombinePerKeyWorkload;
import io.sluice.benchmarks.workloads.EarlyFiringsWorkload;
import io.sluice.benchmarks.workloads.JoinWorkload;
import io.sluice.benchmarks.workloads.LatencyWorkload;
import io.sluice.benchmarks.workloads.SessionsWorkload;
import io.sluice.benchmarks.workloads.StatefulCountWorkload;
import io.sluice.benchmarks.workloads.GroupByKeyWorkload;
import io.sluice.benchmarks.workloads.TinyWorkload;
import io.sluice.benchmarks.workloads.WindowedCountWorkload;
import io.sluice.benchmarks.workloads.WordCountWorkload;
import io.sluice.benchmarks.workloads.Workload;
import java.util.LinkedHashMap;
import java.util.Map;

/** The workloads by name, with their default sizes (records, or bytes of text for WordCount). */
final class Workloads {

  static final Map<String, Workload> ALL = new LinkedHashMap<>();
  static final Map<String, Long> DEFAULT_SIZES = new LinkedHashMap<>();
  /** What StreamingBenchmark runs; all but the first run only there, not in BenchmarkSuite. */
  static final java.util.List<String> STREAMING = java.util.List.of("streaming-windowed-count",
      "streaming-stateful-count", "streaming-sessions", "streaming-early-firings", "streaming-join");

  static {
    add(new WordCountWorkload(), 100L << 20);
    add(new GroupByKeyWorkload(), 5_000_000L);
    add(new CombinePerKeyWorkload(), 5_000_000L);
    add(new WindowedCountWorkload(false), 5_000_000L);
    add(new WindowedCountWorkload(true), 1_000_000L);
    add(new StatefulCountWorkload(), 1_000_000L);
    add(new SessionsWorkload(), 100_000L);
    add(new EarlyFiringsWorkload(), 1_000_000L);
    add(new JoinWorkload(), 1_000_000L);
    add(new LatencyWorkload(Long.getLong("bench.latencyRate", 10_000)), 200_000L);
    add(new TinyWorkload(), 3L);
  }

  private static void add(Workload w, long size) {
    ALL.put(w.name(), w);
    DEFAULT_SIZES.put(w.name(), size);
  }

  static Workload get(String name) {
    Workload w = ALL.get(name);
    if (w == null) {
      throw new IllegalArgumentException("unknown workload " + name + "; known: " + ALL.keySet());
    }
    return w;
  }

  private Workloads() {}
}

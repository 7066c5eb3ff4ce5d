package io.sluice.benchmarks;

import io.sluice.benchmarks.workloads.CombinePerKeyWorkload;
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

  static {
    add(new WordCountWorkload(), 100L << 20);
    add(new GroupByKeyWorkload(), 5_000_000L);
    add(new CombinePerKeyWorkload(), 5_000_000L);
    add(new WindowedCountWorkload(false), 5_000_000L);
    add(new WindowedCountWorkload(true), 1_000_000L);
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

package io.sluice.benchmarks.workloads;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/** The plain-Java floor's parallelism: the same task on two threads, results gathered. */
final class TwoThreads {

  private TwoThreads() {}

  /** Adds up the per-thread sums of each key. */
  static <K> java.util.Map<K, Long> mergeSums(List<java.util.Map<K, Long>> parts) {
    java.util.Map<K, Long> merged = new java.util.HashMap<>(parts.get(0));
    for (int i = 1; i < parts.size(); i++) {
      parts.get(i).forEach((k, v) -> merged.merge(k, v, Long::sum));
    }
    return merged;
  }

  static <T> List<T> run(IntFunction<Callable<T>> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        futures.add(pool.submit(task.apply(t)));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get());
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}

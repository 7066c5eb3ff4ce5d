package io.sluice.benchmarks.workloads;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;

/** Combine.perKey (sum) of {@code size} longs over 100k keys. */
public final class CombinePerKeyWorkload implements Workload {

  static final int KEYS = 100_000;

  @Override
  public String name() {
    return "combine";
  }

  @Override
  public long records(long size) {
    return size;
  }

  static final class Keyed extends SimpleFunction<Long, KV<Long, Long>> {
    @Override
    public KV<Long, Long> apply(Long i) {
      return KV.of(i % KEYS, i);
    }
  }

  /** [keys, sum, sum of (key + 1) * key's sum]. */
  static List<Long> summarize(long key, long sum) {
    return List.of(1L, sum, (key + 1) * sum);
  }

  static final class Summarize extends SimpleFunction<KV<Long, Long>, List<Long>> {
    @Override
    public List<Long> apply(KV<Long, Long> kv) {
      return summarize(kv.getKey(), kv.getValue());
    }
  }

  @Override
  public void build(Pipeline pipeline, long size, Path data, Path out) {
    pipeline
        .apply(GenerateSequence.from(0).to(size))
        .apply("Key", MapElements.via(new Keyed()))
        .apply(Sum.longsPerKey())
        .apply("Summarize", MapElements.via(new Summarize()))
        .apply(Combine.globally(new Summary(3)))
        .apply(org.apache.beam.sdk.transforms.ParDo.of(new ResultFile(out.resolve("result"))));
  }

  @Override
  public void runPlainJava(long size, Path data, Path out) throws Exception {
    List<Map<Long, Long>> parts = TwoThreads.run(t -> () -> {
      Map<Long, Long> sums = new HashMap<>();
      for (long i = t; i < size; i += 2) {
        sums.merge(i % KEYS, i, Long::sum);
      }
      return sums;
    });
    long[] total = new long[3];
    TwoThreads.mergeSums(parts).forEach((k, v) -> Summary.addInto(total, summarize(k, v)));
    Files.writeString(out.resolve("result"), Summary.format(total));
  }

  @Override
  public void verify(long size, Path data, Path out) throws Exception {
    long weighted = 0;
    for (long i = 0; i < size; i++) {
      weighted += (i % KEYS + 1) * i;
    }
    ResultFile.expect(name(), Summary.format(Math.min(KEYS, size), size * (size - 1) / 2, weighted), out.resolve("result"));
  }
}

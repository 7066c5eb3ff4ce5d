package io.sluice.benchmarks.workloads;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;

/**
 * GroupByKey of {@code size} records over 100k keys with 90-byte values. Each value carries its
 * record number, so the grouped side can check that every value is intact and under its key.
 */
public final class GroupByKeyWorkload implements Workload {

  static final int KEYS = 100_000;
  static final int VALUE_BYTES = 90;

  @Override
  public String name() {
    return "groupbykey";
  }

  @Override
  public long records(long size) {
    return size;
  }

  static byte[] value(long i) {
    ByteBuffer b = ByteBuffer.allocate(VALUE_BYTES);
    b.putLong(i);
    for (int j = 8; j < VALUE_BYTES; j++) {
      b.put((byte) (i * 31 + j));
    }
    return b.array();
  }

  /** Returns the record number of a value, or -1 if its filler bytes are damaged. */
  static long recordOf(byte[] value) {
    if (value.length != VALUE_BYTES) {
      return -1;
    }
    long i = ByteBuffer.wrap(value).getLong();
    for (int j = 8; j < VALUE_BYTES; j++) {
      if (value[j] != (byte) (i * 31 + j)) {
        return -1;
      }
    }
    return i;
  }

  static final class MakeRecord extends DoFn<Long, KV<Long, byte[]>> {
    @ProcessElement
    public void process(@Element Long i, OutputReceiver<KV<Long, byte[]>> out) {
      out.output(KV.of(i % KEYS, value(i)));
    }
  }

  /** [keys, records, sum of record numbers, misplaced or damaged values, sum of (key + 1) per record]. */
  static List<Long> summarize(long key, Iterable<byte[]> values) {
    long count = 0;
    long sum = 0;
    long bad = 0;
    for (byte[] v : values) {
      long i = recordOf(v);
      count++;
      if (i < 0 || i % KEYS != key) {
        bad++;
      } else {
        sum += i;
      }
    }
    return List.of(1L, count, sum, bad, (key + 1) * count);
  }

  static final class SummarizeGroup extends DoFn<KV<Long, Iterable<byte[]>>, List<Long>> {
    @ProcessElement
    public void process(@Element KV<Long, Iterable<byte[]>> group, OutputReceiver<List<Long>> out) {
      out.output(summarize(group.getKey(), group.getValue()));
    }
  }

  @Override
  public void build(Pipeline pipeline, long size, Path data, Path out) {
    pipeline
        .apply(GenerateSequence.from(0).to(size))
        .apply("MakeRecords", ParDo.of(new MakeRecord()))
        .apply(GroupByKey.create())
        .apply("SummarizeGroups", ParDo.of(new SummarizeGroup()))
        .apply(Combine.globally(new Summary(5)))
        .apply(ParDo.of(new ResultFile(out.resolve("result"))));
  }

  @Override
  public void runPlainJava(long size, Path data, Path out) throws Exception {
    // Each thread owns half of the keys, as a hash shuffle would give it, and groups them.
    List<long[]> parts = TwoThreads.run(t -> () -> {
      Map<Long, java.util.ArrayList<byte[]>> groups = new HashMap<>();
      for (long i = 0; i < size; i++) {
        long key = i % KEYS;
        if ((int) (key & 1) == t) {
          groups.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(value(i));
        }
      }
      long[] total = new long[5];
      groups.forEach((key, values) -> Summary.addInto(total, summarize(key, values)));
      return total;
    });
    long[] sum = new long[5];
    for (long[] p : parts) {
      Summary.addInto(sum, java.util.Arrays.stream(p).boxed().collect(java.util.stream.Collectors.toList()));
    }
    java.nio.file.Files.writeString(out.resolve("result"), Summary.format(sum));
  }

  @Override
  public void verify(long size, Path data, Path out) throws Exception {
    long weighted = 0;
    for (long i = 0; i < size; i++) {
      weighted += i % KEYS + 1;
    }
    long sum = size * (size - 1) / 2;
    ResultFile.expect(name(), Summary.format(Math.min(KEYS, size), size, sum, 0, weighted), out.resolve("result"));
  }
}

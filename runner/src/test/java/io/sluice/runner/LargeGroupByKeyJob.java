package io.sluice.runner;

import java.io.Serializable;
import java.nio.ByteBuffer;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.GenerateSequence;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * A GroupByKey over more data than the heap, run in its own JVM by {@link SpillTest}: records
 * {@code i} in {@code [0, records)} become {@code KV(i % keys, value(i))} where {@code value(i)} is
 * {@code valueBytes} bytes, the first 8 holding {@code i} and the rest derived from {@code i}. After
 * the grouping each key's values are checked byte for byte (and read a second time, which must give
 * the same values), and per-key statistics are combined
 * into one line on standard output:
 *
 * <pre>TOTALS keys=.. records=.. sum=.. weighted=.. minPerKey=.. maxPerKey=.. corrupt=.. misplaced=..</pre>
 *
 * where {@code sum} is the sum of every {@code i}, {@code weighted} the sum of {@code (key + 1) * i}
 * (both wrapping in a long), {@code corrupt} the values whose bytes are not those of
 * {@code value(i)} and {@code misplaced} the values grouped under a key other than {@code i % keys}.
 */
public final class LargeGroupByKeyJob {

  /** The job's own options, next to the runner's. */
  public interface Options extends PipelineOptions {
    @Description("How many records")
    @Default.Long(10_000_000L)
    long getRecords();

    void setRecords(long records);

    @Description("How many distinct keys")
    @Default.Long(100_000L)
    long getKeys();

    void setKeys(long keys);

    @Description("Bytes per value, at least 8")
    @Default.Integer(100)
    int getValueBytes();

    void setValueBytes(int bytes);
  }

  public static final String PREFIX = "TOTALS ";

  private LargeGroupByKeyJob() {}

  /** SplitMix64's finalizer: a cheap, well-mixed function of its input. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Byte {@code j >= 8} of value(i). */
  static byte payloadByte(long i, int j) {
    return (byte) (mix(i * 31 + (j >>> 3)) >>> ((j & 7) * 8));
  }

  static byte[] value(long i, int size) {
    byte[] bytes = new byte[size];
    ByteBuffer.wrap(bytes).putLong(0, i);
    for (int j = 8; j < size; j++) {
      bytes[j] = payloadByte(i, j);
    }
    return bytes;
  }

  /** The i a value carries, or -1 if its bytes are not exactly value(i). */
  static long check(byte[] bytes, int size) {
    if (bytes.length != size) {
      return -1;
    }
    long i = ByteBuffer.wrap(bytes).getLong(0);
    for (int j = 8; j < size; j++) {
      if (bytes[j] != payloadByte(i, j)) {
        return -1;
      }
    }
    return i;
  }

  /** Per-key, then overall, statistics. */
  public static final class Stats implements Serializable {
    private static final long serialVersionUID = 1L;
    long keys;
    long records;
    long sum;
    long weighted;
    long minPerKey = Long.MAX_VALUE;
    long maxPerKey = Long.MIN_VALUE;
    long corrupt;
    long misplaced;

    Stats merge(Stats other) {
      keys += other.keys;
      records += other.records;
      sum += other.sum;
      weighted += other.weighted;
      minPerKey = Math.min(minPerKey, other.minPerKey);
      maxPerKey = Math.max(maxPerKey, other.maxPerKey);
      corrupt += other.corrupt;
      misplaced += other.misplaced;
      return this;
    }

    @Override
    public String toString() {
      return "keys=" + keys + " records=" + records + " sum=" + sum + " weighted=" + weighted + " minPerKey="
          + minPerKey + " maxPerKey=" + maxPerKey + " corrupt=" + corrupt + " misplaced=" + misplaced;
    }
  }

  static final class MakeRecords extends DoFn<Long, KV<Long, byte[]>> {
    private final long keys;
    private final int valueBytes;

    MakeRecords(long keys, int valueBytes) {
      this.keys = keys;
      this.valueBytes = valueBytes;
    }

    @ProcessElement
    public void process(@Element Long i, OutputReceiver<KV<Long, byte[]>> out) {
      out.output(KV.of(i % keys, value(i, valueBytes)));
    }
  }

  static final class SummarizeKey extends DoFn<KV<Long, Iterable<byte[]>>, Stats> {
    private final long keys;
    private final int valueBytes;

    SummarizeKey(long keys, int valueBytes) {
      this.keys = keys;
      this.valueBytes = valueBytes;
    }

    @ProcessElement
    public void process(@Element KV<Long, Iterable<byte[]>> group, OutputReceiver<Stats> out) {
      long key = group.getKey();
      Stats s = new Stats();
      s.keys = 1;
      for (byte[] v : group.getValue()) {
        long i = check(v, valueBytes);
        s.records++;
        if (i < 0) {
          s.corrupt++;
          continue;
        }
        if (i % keys != key) {
          s.misplaced++;
        }
        s.sum += i;
        s.weighted += (key + 1) * i;
      }
      // Beam lets a grouped value be iterated more than once: a second pass must see the same values.
      long records = 0;
      long sum = 0;
      for (byte[] v : group.getValue()) {
        records++;
        long i = check(v, valueBytes);
        sum += i < 0 ? 0 : i;
      }
      if (records != s.records || sum != s.sum) {
        s.corrupt++;
      }
      s.minPerKey = s.records;
      s.maxPerKey = s.records;
      out.output(s);
    }
  }

  static final class MergeStats extends Combine.CombineFn<Stats, Stats, Stats> {
    @Override
    public Stats createAccumulator() {
      return new Stats();
    }

    @Override
    public Stats addInput(Stats acc, Stats input) {
      return acc.merge(input);
    }

    @Override
    public Stats mergeAccumulators(Iterable<Stats> accs) {
      Stats merged = new Stats();
      for (Stats a : accs) {
        merged.merge(a);
      }
      return merged;
    }

    @Override
    public Stats extractOutput(Stats acc) {
      return acc;
    }

    @Override
    public Coder<Stats> getAccumulatorCoder(CoderRegistry registry, Coder<Stats> inputCoder) {
      return SerializableCoder.of(Stats.class);
    }

    @Override
    public Coder<Stats> getDefaultOutputCoder(CoderRegistry registry, Coder<Stats> inputCoder) {
      return SerializableCoder.of(Stats.class);
    }
  }

  static final class Print extends DoFn<Stats, Void> {
    @ProcessElement
    public void process(@Element Stats totals) {
      System.out.println(PREFIX + totals);
      System.out.flush();
    }
  }

  public static void main(String[] args) {
    PipelineOptionsFactory.register(Options.class);
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    long keys = options.getKeys();
    int valueBytes = options.getValueBytes();
    if (valueBytes < 8) {
      throw new IllegalArgumentException("--valueBytes must be at least 8");
    }
    Pipeline p = Pipeline.create(options);
    PCollection<Stats> perKey = p
        .apply("Sequence", GenerateSequence.from(0).to(options.getRecords()))
        .apply("MakeRecords", ParDo.of(new MakeRecords(keys, valueBytes)))
        .setCoder(KvCoder.of(VarLongCoder.of(), ByteArrayCoder.of()))
        .apply("Group", GroupByKey.create())
        .apply("SummarizeKey", ParDo.of(new SummarizeKey(keys, valueBytes)))
        .setCoder(SerializableCoder.of(Stats.class));
    perKey.apply("Totals", Combine.globally(new MergeStats()))
        .setCoder(SerializableCoder.of(Stats.class))
        .apply("Print", ParDo.of(new Print()));
    long start = System.nanoTime();
    PipelineResult.State state = p.run().waitUntilFinish();
    System.out.println("STATE " + state + " after " + (System.nanoTime() - start) / 1_000_000 + " ms");
    if (state != PipelineResult.State.DONE) {
      System.exit(2);
    }
  }
}

package io.sluice.benchmarks.jmh;

import io.sluice.execution.state.KeyGroups;
import io.sluice.translation.records.KeyedRecord;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValues;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** What a keyed edge costs per record: encoding the key, hashing its bytes, and routing its key group. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class HashPartitioningBenchmark {

  private static final KeyGroups KEY_GROUPS = new KeyGroups(KeyGroups.DEFAULT_MAX_PARALLELISM);
  private String[] keys;
  private int next;

  @Setup
  public void setUp() {
    keys = new String[1024];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = "key-" + i * 7919;
    }
  }

  @Benchmark
  public int encodeAndPartition() throws Exception {
    String key = keys[next++ & 1023];
    byte[] bytes = CoderUtils.encodeToByteArray(StringUtf8Coder.of(), key);
    KeyedRecord record = new KeyedRecord(bytes, WindowedValues.valueInGlobalWindow(KV.of(key, 1L)));
    return KEY_GROUPS.subtaskOf(KEY_GROUPS.ofHash(record.keyHash()), 2);
  }
}

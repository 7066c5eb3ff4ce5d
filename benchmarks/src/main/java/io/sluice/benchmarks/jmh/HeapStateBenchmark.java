package io.sluice.benchmarks.jmh;

import io.sluice.execution.state.HeapKeyedStateBackend;
import java.util.concurrent.TimeUnit;
import org.apache.beam.runners.core.InMemoryStateInternals;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.ValueState;
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

/** Keyed state access on the heap backend: a value read-modify-write and a bag append, over 10k keys. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class HeapStateBenchmark {

  private static final StateTag<ValueState<Long>> COUNT = StateTags.value("count", VarLongCoder.of());
  private static final StateTag<BagState<Long>> SEEN = StateTags.bag("seen", VarLongCoder.of());

  private HeapKeyedStateBackend<InMemoryStateInternals<byte[]>> backend;
  private byte[][] keys;
  private int next;

  @Setup
  public void setUp() {
    backend = new HeapKeyedStateBackend<>(InMemoryStateInternals::forKey);
    keys = new byte[10_000][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = new byte[] {(byte) i, (byte) (i >> 8), 7};
    }
  }

  @Benchmark
  public long valueReadModifyWrite() {
    ValueState<Long> count = backend.state(keys[next++ % keys.length]).state(StateNamespaces.global(), COUNT);
    Long current = count.read();
    long updated = current == null ? 1 : current + 1;
    count.write(updated);
    return updated;
  }

  @Benchmark
  public void bagAppend() {
    int i = next++ % keys.length;
    backend.state(keys[i]).state(StateNamespaces.global(), SEEN).add((long) i);
    if (next % 1_000_000 == 0) {
      backend.close();
    }
  }
}

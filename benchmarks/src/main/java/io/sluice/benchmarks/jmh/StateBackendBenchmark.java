package io.sluice.benchmarks.jmh;

import io.sluice.execution.state.KeyGroups;
import io.sluice.execution.state.KeyedStores;
import io.sluice.execution.state.SortedByteStore;
import io.sluice.execution.state.StateBackendKind;
import io.sluice.translation.state.BinaryStateInternals;
import io.sluice.translation.state.HoldListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Keyed state access as a streaming operator does it, on each backend: a value read-modify-write
 * and a bag append, over 10k keys, through Beam's StateInternals over the backend's byte store.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class StateBackendBenchmark {

  private static final StateTag<ValueState<Long>> COUNT = StateTags.value("count", VarLongCoder.of());
  private static final StateTag<BagState<Long>> SEEN = StateTags.bag("seen", VarLongCoder.of());

  @Param({"HEAP", "ROCKSDB"})
  public StateBackendKind backend;

  private Path directory;
  private KeyedStores stores;
  private SortedByteStore store;
  private byte[][] prefixes;
  private int next;

  @Setup
  public void setUp() throws IOException {
    directory = Files.createTempDirectory("sluice-state-bench-");
    stores = backend.open(directory.resolve("db"), 64L << 20);
    store = stores.store("state");
    prefixes = new byte[10_000][];
    for (int i = 0; i < prefixes.length; i++) {
      prefixes[i] = new KeyGroups(KeyGroups.DEFAULT_MAX_PARALLELISM).prefix(new byte[] {(byte) i, (byte) (i >> 8), 7});
    }
  }

  @TearDown
  public void tearDown() throws IOException {
    stores.close();
    Files.deleteIfExists(directory);
  }

  private BinaryStateInternals stateOf(int i) {
    return new BinaryStateInternals(store, prefixes[i], i, HoldListener.NONE);
  }

  @Benchmark
  public long valueReadModifyWrite() {
    ValueState<Long> count = stateOf(next++ % prefixes.length).state(StateNamespaces.global(), COUNT);
    Long current = count.read();
    long updated = current == null ? 1 : current + 1;
    count.write(updated);
    return updated;
  }

  @Benchmark
  public void bagAppend() {
    int i = next++ % prefixes.length;
    BagState<Long> seen = stateOf(i).state(StateNamespaces.global(), SEEN);
    seen.add((long) i);
    if (next % 100_000 == 0) {
      seen.clear();
    }
  }
}

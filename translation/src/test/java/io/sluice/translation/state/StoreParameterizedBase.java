package io.sluice.translation.state;

import io.sluice.execution.state.HeapByteStore;
import io.sluice.execution.state.RocksDbBackend;
import io.sluice.execution.state.SortedByteStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateNamespaceForTest;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.CombiningState;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.MultimapState;
import org.apache.beam.sdk.state.OrderedListState;
import org.apache.beam.sdk.state.SetState;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.state.WatermarkHoldState;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.junit.After;
import org.junit.Before;
import org.junit.runners.Parameterized.Parameters;

/**
 * Runs a test class over both stores, with tags of every state type, several keys sharing one
 * store, and a record of the hold changes reported.
 */
abstract class StoreParameterizedBase {

  static final StateNamespace NS1 = new StateNamespaceForTest("ns1");
  static final StateNamespace NS2 = new StateNamespaceForTest("ns2");

  static final StateTag<ValueState<String>> VALUE = StateTags.value("value", StringUtf8Coder.of());
  static final StateTag<BagState<String>> BAG = StateTags.bag("bag", StringUtf8Coder.of());
  static final StateTag<SetState<String>> SET = StateTags.set("set", StringUtf8Coder.of());
  static final StateTag<MapState<String, Integer>> MAP =
      StateTags.map("map", StringUtf8Coder.of(), VarIntCoder.of());
  static final StateTag<MultimapState<String, Integer>> MULTIMAP =
      StateTags.tagForSpec("multimap", StateSpecs.multimap(StringUtf8Coder.of(), VarIntCoder.of()));
  static final StateTag<OrderedListState<String>> ORDERED =
      StateTags.tagForSpec("ordered", StateSpecs.orderedList(StringUtf8Coder.of()));
  static final StateTag<CombiningState<Integer, int[], Integer>> SUM =
      StateTags.combiningValueFromInputInternal("sum", VarIntCoder.of(), Sum.ofIntegers());
  static final StateTag<WatermarkHoldState> HOLD =
      StateTags.watermarkStateInternal("hold", TimestampCombiner.EARLIEST);

  @Parameters(name = "{0}")
  public static List<Object[]> stores() {
    return Arrays.asList(new Object[] {"heap"}, new Object[] {"rocksdb"});
  }

  private final String kind;
  private Path parent;
  private RocksDbBackend backend;
  SortedByteStore store;
  final List<Object[]> holdChanges = new ArrayList<>();

  StoreParameterizedBase(String kind) {
    this.kind = kind;
  }

  @Before
  public void openStore() throws Exception {
    if (kind.equals("heap")) {
      store = new HeapByteStore();
    } else {
      parent = Files.createTempDirectory("sluice-state-test");
      // The backend refuses non-empty directories and deletes its own on close.
      backend = RocksDbBackend.open(parent.resolve("db"), 16 << 20);
      store = backend.store("state");
    }
  }

  @After
  public void closeStore() throws Exception {
    if (backend != null) {
      backend.close();
      Files.deleteIfExists(parent);
    }
  }

  BinaryStateInternals forKey(String key) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    // Callers hand in prefix-free key prefixes; a length byte is the simplest way to get one.
    byte[] prefix = new byte[bytes.length + 1];
    prefix[0] = (byte) bytes.length;
    System.arraycopy(bytes, 0, prefix, 1, bytes.length);
    return new BinaryStateInternals(store, prefix, key, (k, h) -> holdChanges.add(new Object[] {k, h}));
  }

  boolean storeIsEmpty() {
    try (SortedByteStore.Cursor c = store.scan(new byte[0])) {
      return !c.hasNext();
    }
  }
}

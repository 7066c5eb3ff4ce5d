package io.sluice.translation.operators.timely;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.state.StoreLayout;
import io.sluice.execution.state.HeapByteStore;
import io.sluice.translation.operators.OperatorHarness;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StateTags;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.WatermarkHoldState;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What a timely operator keeps survives a snapshot and a restore: each test takes the backend's
 * contents right after a snapshot, goes on, then restores a fresh instance from those contents and
 * goes on the same way; the two must agree, and must hold what a failure-free run holds.
 */
class TimelyStateRestoreTest {

  private static byte[] key(String k) {
    return k.getBytes(StandardCharsets.UTF_8);
  }

  private static TimelyKeyState keyState(OperatorHarness harness) {
    return new TimelyKeyState(harness, StringUtf8Coder.of(), GlobalWindow.Coder.INSTANCE);
  }

  private static BagState<Integer> bag(TimelyKeyState state) {
    return state.stateInternals().state(StateNamespaces.global(), StateTags.bag("bag", VarIntCoder.of()));
  }

  private static List<Integer> read(BagState<Integer> bag) {
    List<Integer> all = new ArrayList<>();
    bag.read().forEach(all::add);
    return all;
  }

  @Test
  void bagAppendsGoOnAfterARestoreInsteadOfOverwritingFromZero() {
    OperatorHarness running = new OperatorHarness();
    TimelyKeyState before = keyState(running);
    before.setKey(key("k"), "k");
    bag(before).add(1);
    bag(before).add(2);
    before.snapshot();
    Map<String, HeapByteStore> checkpoint = running.copyStores();
    bag(before).add(3);

    TimelyKeyState after = keyState(OperatorHarness.restoredFrom(checkpoint));
    after.restore();
    after.setKey(key("k"), "k");
    bag(after).add(3);
    assertEquals(List.of(1, 2, 3), read(bag(after)));
    assertEquals(read(bag(before)), read(bag(after)), "the restored run agrees with the one that went on");
  }

  @Test
  void watermarkHoldsStillHoldAfterARestore() throws Exception {
    OperatorHarness running = new OperatorHarness();
    TimelyKeyState before = keyState(running);
    before.setKey(key("k"), "k");
    WatermarkHoldState hold = before.stateInternals().state(StateNamespaces.global(),
        StateTags.watermarkStateInternal("hold", TimestampCombiner.EARLIEST));
    hold.add(new Instant(1_000));
    before.snapshot();
    Map<String, HeapByteStore> checkpoint = running.copyStores();

    OperatorHarness restored = OperatorHarness.restoredFrom(checkpoint);
    TimelyKeyState after = keyState(restored);
    after.restore();
    assertEquals(1_000, after.minHold());
    after.setInputWatermark(5_000);
    after.emitWatermark(Long.MAX_VALUE);
    before.setInputWatermark(5_000);
    before.emitWatermark(Long.MAX_VALUE);
    assertEquals(List.of(1_000L), restored.watermarks, "the hold keeps the output watermark back");
    assertEquals(running.watermarks, restored.watermarks);
  }

  private static WindowedValue<Object> element(String k, int v, long timestamp) {
    return WindowedValues.timestampedValueInGlobalWindow(KV.of(k, v), new Instant(timestamp));
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void pushedBackInputIsInTheCheckpointAndItsSequenceGoesOn() {
    OperatorHarness running = new OperatorHarness();
    org.apache.beam.sdk.coders.Coder<WindowedValue<Object>> coder = (org.apache.beam.sdk.coders.Coder) WindowedValues
        .getFullCoder(org.apache.beam.sdk.coders.KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of()),
            GlobalWindow.Coder.INSTANCE);
    PushedBackInput before = new PushedBackInput(() -> running.operatorStore("pushed-back", StoreLayout.SPLIT), coder);
    before.add(key("a"), element("a", 1, 300));
    before.add(null, element("b", 2, 200));
    Map<String, HeapByteStore> checkpoint = running.copyStores();

    OperatorHarness restoredHarness = OperatorHarness.restoredFrom(checkpoint);
    PushedBackInput after = new PushedBackInput(() -> restoredHarness.operatorStore("pushed-back", StoreLayout.SPLIT), coder);
    after.restore();
    assertEquals(200, after.minTimestamp(), "the restored input holds the watermark as before");
    after.add(key("c"), element("c", 3, 100));
    List<PushedBackInput.Pending> all = after.takeAll();
    assertEquals(3, all.size(), "an element added after the restore overwrote none");
    assertEquals(List.of("a", "b", "c"), all.stream().map(p -> ((KV<String, Integer>) p.element().getValue()).getKey())
        .toList());
    assertEquals("a", new String(all.get(0).key(), StandardCharsets.UTF_8));
    assertEquals(null, all.get(1).key());
    assertTrue(after.isEmpty());
    assertEquals(Long.MAX_VALUE, after.minTimestamp());
  }

  @Test
  @SuppressWarnings("unchecked")
  void sideInputContentsAndProgressAreInTheCheckpoint() {
    Pipeline p = Pipeline.create();
    PCollectionView<Iterable<Integer>> view = p.apply(Create.of(1, 2, 3)).apply(View.asIterable());
    List<PCollectionView<?>> views = List.of(view);
    OperatorHarness running = new OperatorHarness();
    TimelySideInputs before = new TimelySideInputs(views, () -> running.operatorStore("side-inputs", StoreLayout.UNION));
    for (int i = 1; i <= 3; i++) {
      before.add(0, WindowedValues.of(i, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE,
          PaneInfo.NO_FIRING));
    }
    before.advanceWatermark(0, 42);
    assertTrue(!before.isReady(view, GlobalWindow.INSTANCE));
    before.done(0);
    before.snapshot();
    Map<String, HeapByteStore> checkpoint = running.copyStores();

    OperatorHarness restoredHarness = OperatorHarness.restoredFrom(checkpoint);
    TimelySideInputs after = new TimelySideInputs(views, () -> restoredHarness.operatorStore("side-inputs", StoreLayout.UNION));
    after.restore();
    assertTrue(after.isReady(view, GlobalWindow.INSTANCE), "the side input had ended");
    List<Integer> values = new ArrayList<>();
    after.get(view, GlobalWindow.INSTANCE).forEach(values::add);
    assertEquals(List.of(1, 2, 3), values);
  }
}

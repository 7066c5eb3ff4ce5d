package io.sluice.translation.operators.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sluice.execution.state.HeapByteStore;
import io.sluice.translation.operators.OperatorHarness;
import io.sluice.translation.records.KeyedRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.SystemReduceFn;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/** A streaming GroupByKey restored from a checkpoint emits the panes and watermarks a failure-free one does. */
class StreamingGroupByKeyRestoreTest {

  private static final KvCoder<String, Integer> CODER = KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of());

  private static StreamingGroupByKeyOperator<String, Integer, ?, ?> gbk() {
    WindowingStrategy<?, ?> windowing = WindowingStrategy.of(FixedWindows.of(Duration.millis(10_000)))
        .withTimestampCombiner(TimestampCombiner.EARLIEST);
    return new StreamingGroupByKeyOperator<>(CODER, () -> SystemReduceFn.buffering(CODER.getValueCoder()), windowing,
        new SerializablePipelineOptions(PipelineOptionsFactory.create()), "gbk");
  }

  private static KeyedRecord element(String key, int value, long timestamp) throws Exception {
    WindowedValue<KV<String, Integer>> element = WindowedValues.timestampedValueInGlobalWindow(KV.of(key, value),
        new Instant(timestamp));
    WindowedValue<KV<String, Integer>> windowed = WindowedValues.of(element.getValue(), element.getTimestamp(),
        FixedWindows.of(Duration.millis(10_000)).assignWindow(element.getTimestamp()), element.getPaneInfo());
    return new KeyedRecord(CoderUtils.encodeToByteArray(StringUtf8Coder.of(), key), windowed);
  }

  /** A new operator, opened on the harness's stores. */
  private static StreamingGroupByKeyOperator<String, Integer, ?, ?> opened(OperatorHarness harness) {
    StreamingGroupByKeyOperator<String, Integer, ?, ?> operator = gbk();
    operator.open(harness);
    return operator;
  }

  /** A new operator on stores restored from checkpoint 1. */
  private static StreamingGroupByKeyOperator<String, Integer, ?, ?> restore(OperatorHarness restored) throws Exception {
    StreamingGroupByKeyOperator<String, Integer, ?, ?> after = opened(restored);
    after.restoreState(1);
    return after;
  }

  /** The panes, as key=values@timestamp strings in emission order. */
  private static List<String> panes(List<Object> records) {
    List<String> panes = new ArrayList<>();
    for (Object r : records) {
      WindowedValue<KV<String, Iterable<Integer>>> pane = (WindowedValue<KV<String, Iterable<Integer>>>) r;
      List<Integer> values = new ArrayList<>();
      pane.getValue().getValue().forEach(values::add);
      panes.add(pane.getValue().getKey() + "=" + values + "@" + pane.getTimestamp().getMillis());
    }
    return panes;
  }

  @Test
  void panesHoldsAndTimersSurviveARestore() throws Exception {
    OperatorHarness running = new OperatorHarness();
    StreamingGroupByKeyOperator<String, Integer, ?, ?> before = opened(running);
    before.process(0, element("a", 1, 1_000));
    before.process(0, element("b", 2, 2_000));
    before.watermark(500);
    before.snapshotState(1);
    Map<String, HeapByteStore> checkpoint = running.copyStores();
    int recordsAtCheckpoint = running.records.size();
    int watermarksAtCheckpoint = running.watermarks.size();
    before.process(0, element("a", 3, 3_000));
    before.watermark(5_000);
    before.watermark(20_000);

    OperatorHarness restored = OperatorHarness.restoredFrom(checkpoint);
    StreamingGroupByKeyOperator<String, Integer, ?, ?> after = restore(restored);
    after.process(0, element("a", 3, 3_000));
    after.watermark(5_000);
    after.watermark(20_000);

    List<String> expected = panes(running.records.subList(recordsAtCheckpoint, running.records.size()));
    assertEquals(List.of("a=[1, 3]@1000", "b=[2]@2000"), expected.stream().sorted().toList());
    assertEquals(expected, panes(restored.records));
    // The holds of the panes still open keep the watermark at their earliest element, 1000.
    List<Long> wentOn = running.watermarks.subList(watermarksAtCheckpoint, running.watermarks.size());
    assertFalse(restored.watermarks.isEmpty());
    assertEquals(1_000L, restored.watermarks.get(0), "the restored holds keep the watermark back");
    assertEquals(wentOn.get(wentOn.size() - 1), restored.watermarks.get(restored.watermarks.size() - 1));
  }

  /** Elements that wait to be processed with others of their key are in a checkpoint taken meanwhile. */
  @Test
  void elementsWaitingForTheirKeysBatchAreInACheckpoint() throws Exception {
    OperatorHarness running = new OperatorHarness();
    StreamingGroupByKeyOperator<String, Integer, ?, ?> before = opened(running);
    before.process(0, element("a", 1, 1_000));
    before.process(0, element("b", 2, 2_000));
    before.process(0, element("a", 3, 3_000));
    before.snapshotState(1);
    Map<String, HeapByteStore> checkpoint = running.copyStores();

    OperatorHarness restored = OperatorHarness.restoredFrom(checkpoint);
    restore(restored).watermark(20_000);
    assertEquals(List.of("a=[1, 3]@1000", "b=[2]@2000"), panes(restored.records).stream().sorted().toList());
  }
}

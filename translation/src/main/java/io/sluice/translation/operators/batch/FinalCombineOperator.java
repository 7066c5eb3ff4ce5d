package io.sluice.translation.operators.batch;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.state.ByteKey;
import io.sluice.translation.operators.Emitter;
import io.sluice.translation.records.KeyedRecord;
import java.util.Arrays;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;

/**
 * The receiving half of a lifted Combine.perKey: merges the accumulators of each key and window
 * and, once the input ends, emits one on-time pane per key and window, as a batch GroupByKey with
 * the default trigger would.
 */
public final class FinalCombineOperator implements Operator {

  /** The user's CombineFn, fixed at construction: its state is the accumulators in {@link #table}. */
  private final CombineFn<Object, Object, Object> combineFn;
  private final TimestampCombiner timestampCombiner;
  /**
   * Accumulators by key and window: derived, batch input, lost with the subtask (a batch job
   * reruns); kept until input ends.
   */
  private CombineTable table;
  /** Derived: made at open, for the operator's life. */
  private Emitter out;

  @SuppressWarnings("unchecked")
  public FinalCombineOperator(CombineFn<?, ?, ?> combineFn, TimestampCombiner timestampCombiner) {
    this.combineFn = (CombineFn<Object, Object, Object>) combineFn;
    this.timestampCombiner = timestampCombiner;
  }

  @Override
  public void open(OperatorContext context) {
    out = new Emitter(context.output());
    table = new CombineTable(timestampCombiner);
  }

  @Override
  @SuppressWarnings("unchecked")
  public void process(int inputPort, Object record) {
    KeyedRecord keyed = (KeyedRecord) record;
    WindowedValue<KV<Object, Object>> partial = (WindowedValue<KV<Object, Object>>) keyed.value();
    Object key = partial.getValue().getKey();
    CombineTable.Slot slot = table.slot(new ByteKey(keyed.key()), key, partial.getWindows().iterator().next(),
        partial.getTimestamp());
    Object incoming = partial.getValue().getValue();
    slot.accumulator = slot.accumulator == null
        ? incoming
        : combineFn.mergeAccumulators(Arrays.asList(slot.accumulator, incoming));
  }

  @Override
  public void complete() {
    for (CombineTable.Slot slot : table.slots()) {
      out.emit(0, WindowedValues.of(KV.of(slot.key, combineFn.extractOutput(slot.accumulator)), slot.timestamp,
          slot.window, PaneInfo.ON_TIME_AND_ONLY_FIRING));
    }
    table.clear();
  }
}

package io.sluice.translation.operators.batch;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.translation.operators.Emitter;
import io.sluice.translation.records.CoderBytes;
import io.sluice.translation.records.KeyedRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.Combine.CombineFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;

/**
 * The sending half of a lifted Combine.perKey: folds elements into one accumulator per key and
 * window before the shuffle, so only accumulators cross it. The table is bounded by the operator's
 * memory budget, at an estimated {@code bytesPerSlot} each: when full it is sent on and started
 * afresh (the receiving half merges).
 */
public final class PartialCombineOperator implements Operator {

  /** The user's CombineFn, fixed at construction: its state is the accumulators in {@link #table}. */
  private final CombineFn<Object, Object, ?> combineFn;
  private final Coder<Object> keyCoder;
  private final TimestampCombiner timestampCombiner;
  private final int bytesPerSlot;
  /** Derived: the key encoding buffer, reused at every flush, for the operator's life. */
  private final CoderBytes keyEncoder = new CoderBytes();
  /** Slots at which the table is sent on: derived from the memory budget at open, for the operator's life. */
  private int maxSlots;
  /**
   * Accumulators since the last flush: derived, batch input, lost with the subtask (a batch job
   * reruns); lives until the table fills or input ends.
   */
  private CombineTable table;
  /** Derived: made at open, for the operator's life. */
  private Emitter out;

  @SuppressWarnings("unchecked")
  public PartialCombineOperator(CombineFn<?, ?, ?> combineFn, Coder<?> keyCoder, TimestampCombiner timestampCombiner,
      int bytesPerSlot) {
    this.combineFn = (CombineFn<Object, Object, ?>) combineFn;
    this.keyCoder = (Coder<Object>) keyCoder;
    this.timestampCombiner = timestampCombiner;
    this.bytesPerSlot = bytesPerSlot;
  }

  @Override
  public void open(OperatorContext context) {
    out = new Emitter(context.output());
    table = new CombineTable(timestampCombiner);
    // Sized by the memory budget: a table that flushes before it holds every key combines nothing.
    maxSlots = (int) Math.max(1024, Math.min(Integer.MAX_VALUE, context.memoryBudgetBytes() / bytesPerSlot));
  }

  @Override
  @SuppressWarnings("unchecked")
  public void process(int inputPort, Object record) throws Exception {
    WindowedValue<KV<Object, Object>> element = (WindowedValue<KV<Object, Object>>) record;
    Object key = element.getValue().getKey();
    Object structuralKey = keyCoder.structuralValue(key);
    for (BoundedWindow window : element.getWindows()) {
      CombineTable.Slot slot = table.slot(structuralKey, key, window, element.getTimestamp());
      Object accumulator = slot.accumulator == null ? combineFn.createAccumulator() : slot.accumulator;
      slot.accumulator = combineFn.addInput(accumulator, element.getValue().getValue());
    }
    if (table.size() >= maxSlots) {
      flush();
    }
  }

  @Override
  public void complete() throws Exception {
    flush();
  }

  private void flush() throws Exception {
    for (CombineTable.Slot slot : table.slots()) {
      // Encoded once per key and flush, not per element: the edge partitions by these bytes.
      byte[] keyBytes = keyEncoder.encode(keyCoder, slot.key);
      out.emit(0, new KeyedRecord(keyBytes, WindowedValues.of(
          KV.of(slot.key, slot.accumulator), slot.timestamp, slot.window, PaneInfo.NO_FIRING)));
    }
    table.clear();
  }
}

package io.sluice.translation.state;

import io.sluice.execution.state.SortedByteStore;
import org.apache.beam.sdk.state.ReadableState;
import org.apache.beam.sdk.state.WatermarkHoldState;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.joda.time.Instant;

/**
 * A watermark hold: the combined timestamp as eight big-endian bytes at the cell key. Every
 * change is reported to the {@link HoldListener}, which is how the operator learns the minimum
 * hold without reading the store.
 */
final class BinaryWatermarkHoldState extends StoreCell implements WatermarkHoldState {

  private final TimestampCombiner timestampCombiner;
  private final HoldListener holds;

  BinaryWatermarkHoldState(
      SortedByteStore store, byte[] cell, TimestampCombiner timestampCombiner, HoldListener holds) {
    super(store, cell);
    this.timestampCombiner = timestampCombiner;
    this.holds = holds;
  }

  @Override
  public TimestampCombiner getTimestampCombiner() {
    return timestampCombiner;
  }

  @Override
  public void add(Instant value) {
    Instant current = read();
    Instant combined = current == null ? value : timestampCombiner.combine(current, value);
    if (!combined.equals(current)) {
      store.put(cell, StateKeys.longBytes(combined.getMillis()));
      holds.holdChanged(cell, combined);
    }
  }

  @Override
  public Instant read() {
    byte[] bytes = store.get(cell);
    return bytes == null ? null : Instant.ofEpochMilli(StateKeys.getLong(bytes, 0));
  }

  @Override
  public ReadableState<Boolean> isEmpty() {
    return deferred(() -> store.get(cell) == null);
  }

  @Override
  public WatermarkHoldState readLater() {
    return this;
  }

  @Override
  public void clear() {
    // Checked first so that the listener hears only of real changes: clearing holds of windows
    // that never had one is common when windows are garbage collected.
    if (store.get(cell) != null) {
      store.delete(cell);
      holds.holdChanged(cell, null);
    }
  }
}

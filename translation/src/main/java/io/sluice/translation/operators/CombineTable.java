package io.sluice.translation.operators;

import io.sluice.execution.state.ByteKey;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.joda.time.Instant;

/**
 * One accumulator per (encoded key, window), with the output timestamp its pane will carry: the
 * state of a combine on either side of its shuffle.
 */
final class CombineTable {

  /** What is kept for one key in one window. */
  static final class Slot {
    final byte[] keyBytes;
    final Object key;
    final BoundedWindow window;
    Object accumulator;
    Instant timestamp;

    Slot(byte[] keyBytes, Object key, BoundedWindow window) {
      this.keyBytes = keyBytes;
      this.key = key;
      this.window = window;
    }
  }

  private static final class SlotKey {
    final ByteKey key;
    final BoundedWindow window;

    SlotKey(ByteKey key, BoundedWindow window) {
      this.key = key;
      this.window = window;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SlotKey && ((SlotKey) o).key.equals(key) && ((SlotKey) o).window.equals(window);
    }

    @Override
    public int hashCode() {
      return key.hashCode() * 31 + window.hashCode();
    }
  }

  private final TimestampCombiner timestampCombiner;
  private final Map<SlotKey, Slot> slots = new HashMap<>();

  CombineTable(TimestampCombiner timestampCombiner) {
    this.timestampCombiner = timestampCombiner;
  }

  /** The slot of {@code key} in {@code window}, whose timestamp now accounts for {@code timestamp}. */
  Slot slot(byte[] keyBytes, Object key, BoundedWindow window, Instant timestamp) {
    Slot slot = slots.computeIfAbsent(new SlotKey(new ByteKey(keyBytes), window), k -> new Slot(keyBytes, key, window));
    Instant assigned = timestampCombiner.assign(window, timestamp);
    slot.timestamp = slot.timestamp == null ? assigned : timestampCombiner.combine(slot.timestamp, assigned);
    return slot;
  }

  int size() {
    return slots.size();
  }

  Iterable<Slot> slots() {
    return slots.values();
  }

  void clear() {
    slots.clear();
  }
}

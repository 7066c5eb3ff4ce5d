package io.sluice.translation.operators;

import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.TimestampCombiner;
import org.joda.time.Instant;

/**
 * One accumulator per (key, window), with the output timestamp its pane will carry: the state of a
 * combine on either side of its shuffle. Keys are compared by a structural value: the key coder's
 * (for most keys the key itself, so nothing is encoded per element) or the encoded bytes.
 */
final class CombineTable {

  /** What is kept for one key in one window. */
  static final class Slot {
    final Object key;
    final BoundedWindow window;
    Object accumulator;
    Instant timestamp;

    Slot(Object key, BoundedWindow window) {
      this.key = key;
      this.window = window;
    }
  }

  private static final class SlotKey {
    final Object key;
    final BoundedWindow window;

    SlotKey(Object key, BoundedWindow window) {
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

  /**
   * The slot of {@code key} (equal keys have equal {@code structuralKey}s) in {@code window}, whose
   * timestamp now accounts for {@code timestamp}.
   */
  Slot slot(Object structuralKey, Object key, BoundedWindow window, Instant timestamp) {
    Slot slot = slots.computeIfAbsent(new SlotKey(structuralKey, window), k -> new Slot(key, window));
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

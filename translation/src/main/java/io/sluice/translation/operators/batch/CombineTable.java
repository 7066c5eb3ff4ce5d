package io.sluice.translation.operators.batch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
    /** The key's input in the window so far: derived, batch input (a batch job reruns), until the table is cleared. */
    Object accumulator;
    /** The output timestamp of the pane so far: derived, as {@link #accumulator}. */
    Instant timestamp;

    Slot(Object key, BoundedWindow window) {
      this.key = key;
      this.window = window;
    }
  }

  private final TimestampCombiner timestampCombiner;
  /**
   * Slots by window, then by key: an element almost always lands in the window the previous one
   * did (with global windowing, always), so the per-element lookup is one hash probe on the key
   * itself, without a composite key to allocate and chase. Derived: batch input, lost with the
   * subtask (a batch job reruns); lives until {@link #clear}.
   */
  private final Map<BoundedWindow, Map<Object, Slot>> slotsByWindow = new HashMap<>();
  /** The window of the last lookup: derived, a cache that lasts until the window changes or the table is cleared. */
  private BoundedWindow lastWindow;
  /** {@link #lastWindow}'s slots: derived from {@link #slotsByWindow}, as long as {@link #lastWindow}. */
  private Map<Object, Slot> lastWindowSlots;
  /** Slots in the table: derived from {@link #slotsByWindow}, until {@link #clear}. */
  private int size;

  CombineTable(TimestampCombiner timestampCombiner) {
    this.timestampCombiner = timestampCombiner;
  }

  /**
   * The slot of {@code key} (equal keys have equal {@code structuralKey}s) in {@code window}, whose
   * timestamp now accounts for {@code timestamp}.
   */
  Slot slot(Object structuralKey, Object key, BoundedWindow window, Instant timestamp) {
    if (!window.equals(lastWindow)) {
      lastWindow = window;
      lastWindowSlots = slotsByWindow.computeIfAbsent(window, w -> new HashMap<>());
    }
    Slot slot = lastWindowSlots.get(structuralKey);
    if (slot == null) {
      slot = new Slot(key, window);
      lastWindowSlots.put(structuralKey, slot);
      size++;
    }
    Instant assigned = timestampCombiner.assign(window, timestamp);
    slot.timestamp = slot.timestamp == null ? assigned : timestampCombiner.combine(slot.timestamp, assigned);
    return slot;
  }

  int size() {
    return size;
  }

  Iterable<Slot> slots() {
    List<Slot> all = new ArrayList<>(size);
    for (Map<Object, Slot> window : slotsByWindow.values()) {
      all.addAll(window.values());
    }
    return all;
  }

  void clear() {
    slotsByWindow.clear();
    lastWindow = null;
    lastWindowSlots = null;
    size = 0;
  }
}

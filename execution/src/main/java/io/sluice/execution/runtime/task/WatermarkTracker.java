package io.sluice.execution.runtime.task;

import java.util.Arrays;

/**
 * The input watermark of one operator: the minimum over its feeders (each chained producer and
 * each producing subtask of each incoming channel is a slot). A finished feeder holds no one back.
 */
final class WatermarkTracker {

  static final long END_OF_TIME = Long.MAX_VALUE;

  private final long[] slots;
  private long current = Long.MIN_VALUE;

  WatermarkTracker(int slotCount) {
    this(slotCount, Long.MIN_VALUE);
  }

  /** A tracker whose every feeder starts at {@code initial}. */
  WatermarkTracker(int slotCount, long initial) {
    this.slots = new long[slotCount];
    Arrays.fill(slots, initial);
    this.current = initial;
  }

  /** Records a feeder's watermark; returns true if the minimum advanced. */
  boolean update(int slot, long watermark) {
    if (watermark <= slots[slot]) {
      return false;
    }
    slots[slot] = watermark;
    long min = END_OF_TIME;
    for (long w : slots) {
      min = Math.min(min, w);
    }
    if (min > current) {
      current = min;
      return true;
    }
    return false;
  }

  /** Every feeder is known to be at {@code watermark} at least (restored from a checkpoint). */
  void raiseAll(long watermark) {
    for (int i = 0; i < slots.length; i++) {
      slots[i] = Math.max(slots[i], watermark);
    }
    if (slots.length > 0) {
      current = Math.max(current, watermark);
    }
  }

  long current() {
    return current;
  }
}

package io.sluice.execution.state;

import java.nio.ByteBuffer;

/**
 * How the entries of a store belong to subtasks, which is what a restore at another parallelism
 * needs to know: each store says it when it is created, and the checkpoint records it.
 */
public enum StoreLayout {
  /** Keys start with a key prefix ({@link KeyGroups#prefix}): an entry goes with its key group. */
  KEYED {
    @Override
    boolean belongsTo(byte[] key, KeyGroups groups, int subtask, int parallelism) {
      return owns(groups, groupAt(key, 0), subtask, parallelism);
    }
  },
  /** Keys are stored keys ({@link StoredKeys}) themselves: an entry goes with its key's group. */
  STORED_KEYS {
    @Override
    boolean belongsTo(byte[] key, KeyGroups groups, int subtask, int parallelism) {
      return owns(groups, groups.of(key), subtask, parallelism);
    }
  },
  /** A {@link TimerQueue}'s store: each entry goes with the key group of the timer's key. */
  TIMERS {
    @Override
    boolean belongsTo(byte[] key, KeyGroups groups, int subtask, int parallelism) {
      return owns(groups, TimerQueue.keyGroupOf(key), subtask, parallelism);
    }
  },
  /**
   * Operator state made of independent units (a source split and what belongs to it), each key
   * starting with its unit's 4-byte number: unit u goes to subtask {@code u mod parallelism}.
   * Numbers must be unique over all subtasks, so entries of several subtasks can be merged.
   */
  SPLIT {
    @Override
    boolean belongsTo(byte[] key, KeyGroups groups, int subtask, int parallelism) {
      return Math.floorMod(ByteBuffer.wrap(key, 0, 4).getInt(), parallelism) == subtask;
    }
  },
  /**
   * Operator state every subtask holds in full (side-input contents, a set of seen ids, a
   * sequence): every subtask gets the entries of all; of equal keys the greatest value (in
   * unsigned byte order) is kept, so copies agree and counters never go back.
   */
  UNION {
    @Override
    boolean belongsTo(byte[] key, KeyGroups groups, int subtask, int parallelism) {
      return true;
    }
  };

  /**
   * True if the entry under {@code key} belongs to {@code subtask} of {@code parallelism} (at the
   * parallelism it was written at, each entry belongs to the subtask that wrote it).
   */
  abstract boolean belongsTo(byte[] key, KeyGroups groups, int subtask, int parallelism);

  /** Merges an entry into a restored store where another subtask's entry may already be. */
  void merge(SortedByteStore store, byte[] key, byte[] value) {
    if (this == UNION) {
      byte[] present = store.get(key);
      if (present != null && java.util.Arrays.compareUnsigned(present, value) >= 0) {
        return;
      }
    }
    store.put(key, value);
  }

  static int groupAt(byte[] key, int offset) {
    return ((key[offset] & 0xff) << 8) | (key[offset + 1] & 0xff);
  }

  private static boolean owns(KeyGroups groups, int group, int subtask, int parallelism) {
    return groups.subtaskOf(group, parallelism) == subtask;
  }
}

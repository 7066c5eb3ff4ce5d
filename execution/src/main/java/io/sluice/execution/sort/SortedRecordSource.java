package io.sluice.execution.sort;

import java.io.IOException;

/**
 * A cursor over records in key order, the common currency of the merge: spilled runs, the sorted
 * in-memory remainder and merges of those all look alike, so merging and grouping need not know
 * where records come from.
 */
interface SortedRecordSource extends AutoCloseable {

  /** Moves to the next record; must be called once before the first record is available. */
  boolean advance() throws IOException;

  /** Key of the current record; the caller may keep the array. */
  byte[] key();

  /** Value of the current record; the caller may keep the array. */
  byte[] value();

  /** Idempotent; never throws, so that cleanup paths cannot mask the original failure. */
  @Override
  void close();
}

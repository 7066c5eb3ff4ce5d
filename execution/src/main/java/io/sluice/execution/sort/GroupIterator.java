package io.sluice.execution.sort;

import java.io.IOException;
import java.util.Iterator;

/**
 * Walks sorted records one group of equal keys at a time, keys ascending in unsigned
 * lexicographic byte order. Not thread-safe.
 */
public interface GroupIterator extends AutoCloseable {

  /**
   * Advances to the next distinct key, skipping whatever values of the current group were not
   * read. Returns false once all groups have been seen.
   */
  boolean nextGroup() throws IOException;

  /**
   * The key of the current group. The array is shared with the iterator and must not be
   * modified.
   *
   * @throws IllegalStateException if there is no current group
   */
  byte[] key();

  /**
   * The values of the current group, streamed (NOT materialized: a single group may be larger
   * than memory); valid until the next nextGroup(); within a group, values come in insertion
   * order (stable sort, ties across runs broken by run order). Skipping unread values on
   * nextGroup() must work.
   *
   * <p>Repeated calls within one group return the same, single-pass iterator. Because {@link
   * Iterator} cannot throw checked exceptions, an I/O failure while streaming values surfaces as
   * an {@link java.io.UncheckedIOException} wrapping the {@link IOException}. Using the iterator
   * after {@link #nextGroup()} throws {@link IllegalStateException}.
   *
   * @throws IllegalStateException if there is no current group
   */
  Iterator<byte[]> values();

  /** Releases the files held open for reading. Idempotent; never throws. */
  @Override
  void close();
}

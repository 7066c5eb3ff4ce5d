package io.sluice.execution.sort;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Cuts a sorted record stream into groups of equal keys. Values are pulled from the stream only as
 * the caller asks for them, so a group never has to fit in memory; whatever the caller leaves
 * unread is skipped by the next {@link #nextGroup()}.
 */
final class SortedGroupIterator implements GroupIterator {

  private final SortedRecordSource records;
  /** True while {@link #records} is positioned on a record nobody has consumed yet. */
  private boolean pending;
  private boolean started;
  private boolean closed;
  private byte[] groupKey;
  /** Bumped per group so that a values iterator kept past its group fails instead of misleading. */
  private long generation;
  private ValueIterator groupValues;
  /**
   * Set once reading fails. After that the stream position is unknown, and carrying on would
   * report a short, wrong group or a premature end of input; every later call fails instead.
   */
  private IOException failure;

  SortedGroupIterator(SortedRecordSource records) {
    this.records = records;
  }

  @Override
  public boolean nextGroup() throws IOException {
    if (closed) {
      throw new IllegalStateException("GroupIterator is closed");
    }
    if (failure != null) {
      throw new IOException("an earlier read failed: " + failure.getMessage(), failure);
    }
    if (!started) {
      started = true;
      advance();
    } else if (groupKey != null) {
      while (pending && Arrays.equals(records.key(), groupKey)) {
        advance();
      }
    }
    generation++;
    groupValues = null;
    if (!pending) {
      groupKey = null;
      records.close();
      return false;
    }
    groupKey = records.key();
    return true;
  }

  private void advance() throws IOException {
    pending = false;
    try {
      pending = records.advance();
    } catch (IOException e) {
      failure = e;
      throw e;
    }
  }

  @Override
  public byte[] key() {
    requireGroup();
    return groupKey;
  }

  @Override
  public Iterator<byte[]> values() {
    requireGroup();
    if (groupValues == null) {
      groupValues = new ValueIterator(generation);
    }
    return groupValues;
  }

  private void requireGroup() {
    if (closed) {
      throw new IllegalStateException("GroupIterator is closed");
    }
    if (groupKey == null) {
      throw new IllegalStateException("no current group: call nextGroup() and check its result");
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      groupKey = null;
      groupValues = null;
      records.close();
    }
  }

  private final class ValueIterator implements Iterator<byte[]> {
    private final long group;
    /** Caches the key comparison so that hasNext() followed by next() compares once. */
    private boolean checked;
    private boolean inGroup;

    ValueIterator(long group) {
      this.group = group;
    }

    @Override
    public boolean hasNext() {
      if (closed || group != generation) {
        throw new IllegalStateException("values() iterator used after its group ended");
      }
      if (failure != null) {
        throw new UncheckedIOException("an earlier read failed: " + failure.getMessage(), failure);
      }
      if (!checked) {
        inGroup = pending && Arrays.equals(records.key(), groupKey);
        checked = true;
      }
      return inGroup;
    }

    @Override
    public byte[] next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      byte[] value = records.value();
      checked = false;
      try {
        advance();
      } catch (IOException e) {
        throw new UncheckedIOException(e.getMessage(), e);
      }
      return value;
    }
  }
}

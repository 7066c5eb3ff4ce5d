package io.sluice.execution.state;

import java.util.Arrays;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/** A {@link SortedByteStore} in a {@link TreeMap}: for state that fits in memory. */
public final class HeapByteStore implements SortedByteStore {

  private final TreeMap<byte[], byte[]> entries = new TreeMap<>(Arrays::compareUnsigned);

  @Override
  public byte[] get(byte[] key) {
    return entries.get(key);
  }

  @Override
  public void put(byte[] key, byte[] value) {
    entries.put(key, value);
  }

  @Override
  public void delete(byte[] key) {
    entries.remove(key);
  }

  @Override
  public Cursor scan(byte[] prefix) {
    return new HeapCursor(prefix, Prefixes.successor(prefix));
  }

  @Override
  public Cursor range(byte[] from, byte[] to) {
    return new HeapCursor(from, to);
  }

  @Override
  public void deletePrefix(byte[] prefix) {
    byte[] end = Prefixes.successor(prefix);
    if (end == null) {
      entries.tailMap(prefix, true).clear();
    } else {
      entries.subMap(prefix, true, end, false).clear();
    }
  }

  /** A copy of every entry as it is now: later writes to the store do not change it. */
  java.util.SortedMap<byte[], byte[]> copyEntries() {
    return new TreeMap<>(entries);
  }

  public int size() {
    return entries.size();
  }

  /**
   * Walks the map by looking up the entry after the last one returned, instead of holding a
   * TreeMap iterator: callers delete and put while a cursor is open (a timer queue polls and
   * removes), which would make an iterator throw, and copying the range up front would make every
   * poll cost the size of the queue.
   */
  private final class HeapCursor implements Cursor {

    private final byte[] to;
    private byte[] lastKey;
    private final byte[] from;
    private Map.Entry<byte[], byte[]> peeked;
    private boolean done;

    HeapCursor(byte[] from, byte[] to) {
      this.from = from;
      this.to = to;
    }

    @Override
    public boolean hasNext() {
      if (peeked != null) {
        return true;
      }
      if (done) {
        return false;
      }
      // TreeMap hands out immutable snapshot entries from these lookups, so a later write cannot
      // change an entry the caller already holds.
      Map.Entry<byte[], byte[]> next =
          lastKey != null
              ? entries.higherEntry(lastKey)
              : from == null ? entries.firstEntry() : entries.ceilingEntry(from);
      if (next == null || (to != null && Arrays.compareUnsigned(next.getKey(), to) >= 0)) {
        done = true;
        return false;
      }
      peeked = next;
      return true;
    }

    @Override
    public Map.Entry<byte[], byte[]> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Map.Entry<byte[], byte[]> next = peeked;
      peeked = null;
      lastKey = next.getKey();
      return next;
    }

    @Override
    public void close() {
      done = true;
      peeked = null;
    }
  }
}

package io.sluice.execution.state;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;

/**
 * A {@link SortedByteStore} in front of another that keeps on the heap what was read and written,
 * and hands writes to the store behind when the cache outgrows its budget, or at a snapshot once
 * they are older than the snapshot before.
 *
 * <p>Why: state written and read again within a second (a window's accumulator, its end-of-window
 * timer and hold) then costs heap lookups instead of native calls, and state that lives shorter
 * than the cache keeps it (a window that fires and is cleared) never reaches the store behind at
 * all. Nothing is lost by holding writes back: a checkpoint holds the store behind and, beside it,
 * a copy of the changes made since the one before ({@link #settleForSnapshot}; older ones are
 * written behind then), which a restore replays.
 *
 * <p>Point reads and writes go to a hash map; the entries not yet written behind are also kept in
 * key order, and a cursor walks the store behind and those side by side, the cache's entry winning
 * where both have a key (an entry that was written behind matches what the store holds).
 * The cache is bounded by {@link Budget}; over it, the stores that share the budget write their
 * changes behind and, if still near it, forget everything, except while one of their cursors is
 * open (a cursor reads the store behind as of its opening, so clearing beneath it would
 * lose entries); they try again at the next write. Used from one subtask thread only.
 */
final class WriteBackStore implements SortedByteStore {

  /**
   * Per cached entry besides the key and value bytes: hash node, ByteKey, entry, tree node while
   * dirty, array headers.
   */
  private static final int ENTRY_OVERHEAD = 160;

  /** Memory shared by several caches (one backend's stores), and the caches to evict when over it. */
  static final class Budget {
    private final long limitBytes;
    private final List<WriteBackStore> caches = new ArrayList<>();
    /** Derived: the sum of the caches' sizes. */
    private long usedBytes;

    Budget(long limitBytes) {
      this.limitBytes = limitBytes;
    }

    long limitBytes() {
      return limitBytes;
    }

    private void charge(long bytes) {
      usedBytes += bytes;
    }

    /**
     * Over the limit, first writes the changes behind: that frees deletes (of state that was written
     * behind before) and keeps what is hot. Only if that is not enough is everything forgotten.
     */
    private void evictIfOver() {
      if (usedBytes <= limitBytes) {
        return;
      }
      for (WriteBackStore cache : caches) {
        if (cache.openCursors == 0) {
          cache.flush();
        }
      }
      if (usedBytes <= limitBytes * 3 / 4) {
        return;
      }
      for (WriteBackStore cache : caches) {
        if (cache.openCursors == 0) {
          cache.forget();
        }
      }
    }
  }

  /** What the cache knows of one key. */
  private static final class Entry {
    /** The value, or null for a key known to be absent. */
    byte[] value;
    /** Whether the value (or absence) has yet to be written behind. */
    boolean dirty;
    /** Whether it changed since the last {@link #settleForSnapshot}: a dirty entry that did not is written behind there. */
    boolean changedSinceSnapshot;
    /** Whether the store behind may hold the key: a delete of a key it cannot hold writes nothing. */
    boolean behind;
    /**
     * False after a put without a read: then {@link #behind} is a guess, settled by a read of the
     * store behind only if the key is deleted. Fresh keys (a bag's appends, a timer's queue entry)
     * are written blind and often deleted before any flush; guessing "behind" would leave a
     * tombstone for each, and cursors would have to walk them all.
     */
    boolean behindKnown;

    /** A clean entry: it matches the store behind until changed. */
    Entry(byte[] value, boolean behind, boolean behindKnown) {
      this.value = value;
      this.behind = behind;
      this.behindKnown = behindKnown;
    }

    long bytes(byte[] key) {
      return ENTRY_OVERHEAD + key.length + (value == null ? 0 : value.length);
    }
  }

  private final SortedByteStore behind;
  private final Budget budget;
  /** Derived from the store behind and this store's writes since the last flush; lives until evicted. */
  private final Map<ByteKey, Entry> entries = new HashMap<>();
  /**
   * The entries not yet written behind, in key order, for cursors to merge and flushes to write:
   * entries that match the store behind need neither. Emptied by each flush.
   */
  private final TreeMap<byte[], Entry> dirty = new TreeMap<>(Arrays::compareUnsigned);
  /** Derived: the budget this cache is charged for. */
  private long bytes;
  private int openCursors;
  /** After close every call goes to the store behind, which refuses it. */
  private boolean closed;

  WriteBackStore(SortedByteStore behind, Budget budget) {
    this.behind = behind;
    this.budget = budget;
    budget.caches.add(this);
  }

  @Override
  public byte[] get(byte[] key) {
    if (closed) {
      return behind.get(key);
    }
    ByteKey id = new ByteKey(key);
    Entry entry = entries.get(id);
    if (entry != null) {
      return entry.value;
    }
    byte[] value = behind.get(key);
    entry = new Entry(value, value != null, true);
    entries.put(id, entry);
    charge(entry.bytes(key));
    budget.evictIfOver();
    return value;
  }

  @Override
  public void put(byte[] key, byte[] value) {
    if (closed) {
      behind.put(key, value);
      return;
    }
    ByteKey id = new ByteKey(key);
    Entry entry = entries.get(id);
    if (entry == null) {
      // Not read first: whether the store behind holds the key is unknown until it matters.
      entry = new Entry(null, true, false);
      entries.put(id, entry);
      charge(entry.bytes(key));
    }
    change(key, entry, value);
    budget.evictIfOver();
  }

  @Override
  public void delete(byte[] key) {
    delete(key, false);
  }

  @Override
  public void deleteSeen(byte[] key) {
    delete(key, true);
  }

  /** {@code seen}: a cursor returned the key, so if the cache does not hold it, the store behind does. */
  private void delete(byte[] key, boolean seen) {
    if (closed) {
      behind.delete(key);
      return;
    }
    ByteKey id = new ByteKey(key);
    Entry entry = entries.get(id);
    if (entry == null) {
      byte[] value = seen ? null : behind.get(key);
      if (!seen && value == null) {
        return;
      }
      entry = new Entry(value, true, true);
      entries.put(id, entry);
      charge(entry.bytes(key));
    } else if (!entry.behindKnown) {
      entry.behind = behind.get(key) != null;
      entry.behindKnown = true;
    }
    if (!entry.behind) {
      // Absent behind and now absent here: nothing to write, nothing worth remembering.
      entries.remove(id);
      if (entry.dirty) {
        dirty.remove(key);
      }
      charge(-entry.bytes(key));
      return;
    }
    change(key, entry, null);
    budget.evictIfOver();
  }

  @Override
  public Cursor scan(byte[] prefix) {
    return range(prefix, Prefixes.successor(prefix));
  }

  @Override
  public Cursor range(byte[] from, byte[] to) {
    if (closed) {
      return behind.range(from, to);
    }
    return new MergedCursor(behind.range(from, to), from, to);
  }

  @Override
  public void deletePrefix(byte[] prefix) {
    List<byte[]> keys = new ArrayList<>();
    try (Cursor cursor = scan(prefix)) {
      while (cursor.hasNext()) {
        keys.add(cursor.next().getKey());
      }
    }
    for (byte[] key : keys) {
      deleteSeen(key);
    }
  }

  /**
   * At a snapshot: writes behind the changes made before the last snapshot (state that has gone
   * quiet belongs in the store behind, and is then written once, not at every snapshot) and returns
   * a copy of the later ones, in key order, each a key and its value or null for a delete: what a
   * snapshot of the store behind lacks. Later writes do not change the copy (values are replaced,
   * never modified in place).
   */
  List<Map.Entry<byte[], byte[]>> settleForSnapshot() {
    List<Map.Entry<byte[], byte[]>> recent = new ArrayList<>();
    if (closed) {
      return recent;
    }
    List<Change> quiet = new ArrayList<>();
    Iterator<Map.Entry<byte[], Entry>> it = dirty.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<byte[], Entry> e = it.next();
      // Read before the removal: removing a tree node may move its successor's key into it.
      byte[] key = e.getKey();
      Entry entry = e.getValue();
      if (entry.changedSinceSnapshot) {
        recent.add(new AbstractMap.SimpleImmutableEntry<>(key, entry.value));
        entry.changedSinceSnapshot = false;
      } else {
        quiet.add(new Change(key, entry.value));
        it.remove();
        writtenBehind(key, entry);
      }
    }
    if (!quiet.isEmpty()) {
      behind.write(quiet);
    }
    return recent;
  }

  /** Writes every change not yet written behind, in one batch; what is cached stays cached. */
  void flush() {
    if (closed || dirty.isEmpty()) {
      return;
    }
    List<Change> changes = new ArrayList<>(dirty.size());
    for (Map.Entry<byte[], Entry> e : dirty.entrySet()) {
      changes.add(new Change(e.getKey(), e.getValue().value));
      writtenBehind(e.getKey(), e.getValue());
    }
    dirty.clear();
    behind.write(changes);
  }

  /** The entry's change is (about to be) in the store behind: clean now, or gone if a delete. */
  private void writtenBehind(byte[] key, Entry entry) {
    entry.dirty = false;
    entry.changedSinceSnapshot = false;
    entry.behind = entry.value != null;
    entry.behindKnown = true;
    if (entry.value == null) {
      entries.remove(new ByteKey(key));
      charge(-entry.bytes(key));
    }
  }

  /** Drops everything cached, written or not: for a backend that is closing. */
  void close() {
    forget();
    closed = true;
  }

  private void forget() {
    entries.clear();
    dirty.clear();
    budget.charge(-bytes);
    bytes = 0;
  }

  private void change(byte[] key, Entry entry, byte[] value) {
    long before = entry.bytes(key);
    entry.value = value;
    entry.changedSinceSnapshot = true;
    if (!entry.dirty) {
      entry.dirty = true;
      dirty.put(key, entry);
    }
    charge(entry.bytes(key) - before);
  }

  private void charge(long delta) {
    bytes += delta;
    budget.charge(delta);
  }

  /**
   * The store behind as of the cursor's opening, overlaid with the cache as it is at each step:
   * writes made meanwhile may be seen, as the contract allows.
   */
  private final class MergedCursor implements Cursor {

    private final Cursor behindCursor;
    private final byte[] to;
    private Map.Entry<byte[], byte[]> nextBehind;
    /** The last key the cache side returned or passed: the cache is searched after it. */
    private byte[] cachePosition;
    private boolean cacheInclusive = true;
    private Map.Entry<byte[], byte[]> next;
    private boolean closedCursor;

    MergedCursor(Cursor behindCursor, byte[] from, byte[] to) {
      this.behindCursor = behindCursor;
      this.to = to;
      this.cachePosition = from == null ? new byte[0] : from;
      openCursors++;
      nextBehind = behindCursor.hasNext() ? behindCursor.next() : null;
    }

    @Override
    public boolean hasNext() {
      while (next == null && !closedCursor) {
        Map.Entry<byte[], Entry> cached = cacheInclusive
            ? dirty.ceilingEntry(cachePosition)
            : dirty.higherEntry(cachePosition);
        if (cached != null && to != null && Arrays.compareUnsigned(cached.getKey(), to) >= 0) {
          cached = null;
        }
        if (cached == null && nextBehind == null) {
          return false;
        }
        int order = cached == null ? 1 : nextBehind == null ? -1
            : Arrays.compareUnsigned(cached.getKey(), nextBehind.getKey());
        if (order <= 0) {
          cachePosition = cached.getKey();
          cacheInclusive = false;
          if (order == 0) {
            advanceBehind();
          }
          if (cached.getValue().value != null) {
            next = Map.entry(cached.getKey(), cached.getValue().value);
          }
        } else {
          next = nextBehind;
          advanceBehind();
        }
      }
      return next != null;
    }

    @Override
    public Map.Entry<byte[], byte[]> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Map.Entry<byte[], byte[]> result = next;
      next = null;
      return result;
    }

    private void advanceBehind() {
      nextBehind = behindCursor.hasNext() ? behindCursor.next() : null;
    }

    @Override
    public void close() {
      if (closedCursor) {
        return;
      }
      closedCursor = true;
      openCursors--;
      behindCursor.close();
    }
  }
}

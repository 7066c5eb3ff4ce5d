package io.sluice.execution.state;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A map from byte-string keys to byte-string values, ordered by unsigned lexicographic key order:
 * what binary keyed state and timers are stored in. A heap implementation and a RocksDB column
 * family share this contract, so state and timer layouts are written once, over bytes.
 *
 * <p>Used from one subtask thread only. Arrays passed in may be kept by the store: callers must
 * not modify them afterwards; arrays returned may not be modified either.
 */
public interface SortedByteStore {

  /** The value stored under {@code key}, or null. */
  byte[] get(byte[] key);

  void put(byte[] key, byte[] value);

  void delete(byte[] key);

  /**
   * Deletes a key a cursor of this store has just returned. The same as {@link #delete}, but a
   * cache in front of another store then knows there is something to delete without reading the
   * store behind: clearing state that has left the cache costs a write, not a read and a write.
   */
  default void deleteSeen(byte[] key) {
    delete(key);
  }

  /**
   * The entries whose key starts with {@code prefix}, in ascending key order. The iterator must be
   * closed; writes made while it is open may or may not be seen by it.
   */
  Cursor scan(byte[] prefix);

  /** The entries with {@code from <= key < to}, in ascending key order; {@code to} null = unbounded. */
  Cursor range(byte[] from, byte[] to);

  /** Removes every entry whose key starts with {@code prefix}. */
  void deletePrefix(byte[] prefix);

  /** One write of a batch: a put, or a delete where {@code value} is null. */
  record Change(byte[] key, byte[] value) {}

  /** Applies {@code changes} in order; a store that can (RocksDB) does it in one call. */
  default void write(List<Change> changes) {
    for (Change change : changes) {
      if (change.value() == null) {
        delete(change.key());
      } else {
        put(change.key(), change.value());
      }
    }
  }

  /** An iterator over entries that holds resources (a RocksDB iterator) until closed. */
  interface Cursor extends Iterator<Map.Entry<byte[], byte[]>>, AutoCloseable {
    @Override
    void close();
  }
}

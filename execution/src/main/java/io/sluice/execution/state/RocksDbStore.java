package io.sluice.execution.state;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;

/** A {@link SortedByteStore} over one column family of a {@link RocksDbBackend}. */
final class RocksDbStore implements SortedByteStore {

  private final RocksDbBackend backend;
  private final ColumnFamilyHandle family;

  RocksDbStore(RocksDbBackend backend, ColumnFamilyHandle family) {
    this.backend = backend;
    this.family = family;
  }

  /**
   * Asks the memtables and cached filter blocks first: most keys read here are absent (the first
   * read of a new window's state), and RocksJava's get reports an absent key by throwing and
   * catching a C++ exception inside the native call, a fifth of a get's cost in profiles.
   */
  @Override
  public byte[] get(byte[] key) {
    try {
      // Without a holder for the value: the value it hands back can be cut short (a 1 KiB value
      // came back shorter in RocksDbBackendTest).
      if (!backend.db().keyMayExist(family, key, null)) {
        return null;
      }
      return backend.db().get(family, key);
    } catch (RocksDBException e) {
      throw backend.failure("get", e);
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    try {
      backend.db().put(family, backend.writeOptions(), key, value);
    } catch (RocksDBException e) {
      throw backend.failure("put", e);
    }
  }

  @Override
  public void delete(byte[] key) {
    try {
      backend.db().delete(family, backend.writeOptions(), key);
    } catch (RocksDBException e) {
      throw backend.failure("delete", e);
    }
  }

  @Override
  public void write(List<Change> changes) {
    try (WriteBatch batch = new WriteBatch()) {
      for (Change change : changes) {
        if (change.value() == null) {
          batch.delete(family, change.key());
        } else {
          batch.put(family, change.key(), change.value());
        }
      }
      backend.db().write(backend.writeOptions(), batch);
    } catch (RocksDBException e) {
      throw backend.failure("write", e);
    }
  }

  @Override
  public Cursor scan(byte[] prefix) {
    return open(prefix, Prefixes.successor(prefix));
  }

  @Override
  public Cursor range(byte[] from, byte[] to) {
    return open(from, to);
  }

  /**
   * Deletes key by key rather than with one range tombstone: the common case is clearing one key's
   * few entries (often none), where point deletes write only what exists, while every range
   * tombstone in a memtable is work for every later read.
   */
  @Override
  public void deletePrefix(byte[] prefix) {
    RocksDB db = backend.db();
    try (Cursor cursor = scan(prefix)) {
      while (cursor.hasNext()) {
        db.delete(family, backend.writeOptions(), cursor.next().getKey());
      }
    } catch (RocksDBException e) {
      throw backend.failure("delete prefix", e);
    }
  }

  private Cursor open(byte[] from, byte[] to) {
    RocksDB db = backend.db();
    // The upper bound lets RocksDB stop at the end of the range by itself, instead of reading on
    // into (and through tombstones of) whatever follows it.
    Slice bound = to == null ? null : new Slice(to);
    ReadOptions options = new ReadOptions().setTotalOrderSeek(true);
    if (bound != null) {
      options.setIterateUpperBound(bound);
    }
    RocksIterator iterator = db.newIterator(family, options);
    if (from == null) {
      iterator.seekToFirst();
    } else {
      iterator.seek(from);
    }
    RocksDbCursor cursor = new RocksDbCursor(iterator, options, bound);
    backend.cursorOpened(cursor);
    return cursor;
  }

  /** Reads from an implicit snapshot taken when it was opened: later writes are not seen. */
  private final class RocksDbCursor implements Cursor {

    private final RocksIterator iterator;
    private final ReadOptions options;
    private final Slice bound;
    private boolean closed;

    RocksDbCursor(RocksIterator iterator, ReadOptions options, Slice bound) {
      this.iterator = iterator;
      this.options = options;
      this.bound = bound;
    }

    @Override
    public boolean hasNext() {
      if (closed) {
        return false;
      }
      if (iterator.isValid()) {
        return true;
      }
      // An iterator also stops being valid on an I/O error, which only status() tells apart.
      try {
        iterator.status();
      } catch (RocksDBException e) {
        throw backend.failure("iterate", e);
      }
      return false;
    }

    @Override
    public Map.Entry<byte[], byte[]> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Map.Entry<byte[], byte[]> entry = Map.entry(iterator.key(), iterator.value());
      iterator.next();
      return entry;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      // The iterator refers to the read options, which refer to the bound: close in that order.
      iterator.close();
      options.close();
      if (bound != null) {
        bound.close();
      }
      backend.cursorClosed(this);
    }
  }
}

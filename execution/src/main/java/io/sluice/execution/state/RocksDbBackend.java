package io.sluice.execution.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBufferManager;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RocksDB instance of one operator in one subtask, holding that operator's state and timers in
 * column families, each seen as a {@link SortedByteStore}. The directory is scratch space: state
 * survives failures through checkpoints, not through these files, so the write-ahead log is off
 * and the directory is deleted on close.
 *
 * <p>Memory is bounded by one block cache that memtables are charged to as well, so the bound
 * holds however many column families an operator uses. Used from one subtask thread only.
 */
public final class RocksDbBackend implements KeyedStores {

  /** Below this, memtables would be flushed after a few hundred writes. */
  public static final long MIN_MEMORY_BYTES = 8L << 20;

  private static final Logger LOG = LoggerFactory.getLogger(RocksDbBackend.class);
  private static final String DEFAULT_FAMILY =
      new String(RocksDB.DEFAULT_COLUMN_FAMILY, StandardCharsets.UTF_8);

  static {
    // Option objects are native too and may be built before the RocksDB class is initialised.
    RocksDB.loadLibrary();
  }

  private final Path directory;
  private final RocksDB db;
  private final WriteOptions writeOptions;
  private final ColumnFamilyOptions familyOptions;
  /** Native handles besides the database, closed after it in reverse order of creation. */
  private final List<AutoCloseable> resources;
  private final Map<String, ColumnFamilyHandle> families = new HashMap<>();
  private final Map<String, RocksDbStore> stores = new HashMap<>();
  private final Set<AutoCloseable> openCursors = Collections.newSetFromMap(new IdentityHashMap<>());
  private boolean closed;

  private RocksDbBackend(
      Path directory,
      RocksDB db,
      ColumnFamilyHandle defaultFamily,
      WriteOptions writeOptions,
      ColumnFamilyOptions familyOptions,
      List<AutoCloseable> resources) {
    this.directory = directory;
    this.db = db;
    this.writeOptions = writeOptions;
    this.familyOptions = familyOptions;
    this.resources = resources;
    families.put(DEFAULT_FAMILY, defaultFamily);
  }

  /**
   * Opens a new, empty instance in {@code directory}, which must not exist or be empty: leftovers
   * of another run are refused rather than deleted, since a misconfigured path could point
   * anywhere. {@code memoryBytes} bounds block cache and memtables together (at least {@link
   * #MIN_MEMORY_BYTES}).
   */
  public static RocksDbBackend open(Path directory, long memoryBytes) {
    prepareEmptyDirectory(directory);
    long capacity = Math.max(memoryBytes, MIN_MEMORY_BYTES);
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      // Strict capacity off: with it on, reads fail once pinned blocks fill the cache.
      LRUCache cache = track(resources, new LRUCache(capacity, -1, false, 0.1));
      // Half the cache may be memtables; the rest caches data, index and filter blocks.
      WriteBufferManager writeBuffers =
          track(resources, new WriteBufferManager(capacity / 2, cache));
      BloomFilter filter = track(resources, new BloomFilter(10));
      ColumnFamilyOptions familyOptions = track(resources, new ColumnFamilyOptions());
      familyOptions
          .setWriteBufferSize(Math.min(64L << 20, Math.max(1L << 20, capacity / 8)))
          .setMaxWriteBufferNumber(2)
          .setTableFormatConfig(
              new BlockBasedTableConfig()
                  .setBlockCache(cache)
                  // Index and filter blocks otherwise live outside the cache, unbounded.
                  .setCacheIndexAndFilterBlocks(true)
                  .setPinL0FilterAndIndexBlocksInCache(true)
                  .setFilterPolicy(filter));
      DBOptions dbOptions = track(resources, new DBOptions());
      dbOptions
          .setCreateIfMissing(true)
          .setWriteBufferManager(writeBuffers)
          // The files are deleted on close, so flushing memtables then is wasted work.
          .setAvoidFlushDuringShutdown(true)
          .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
          .setKeepLogFileNum(2);
      WriteOptions writeOptions = track(resources, new WriteOptions().setDisableWAL(true));

      List<ColumnFamilyHandle> handles = new ArrayList<>(1);
      RocksDB db =
          RocksDB.open(
              dbOptions,
              directory.toString(),
              List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions)),
              handles);
      LOG.debug("Opened RocksDB state in {} with {} bytes of memory", directory, capacity);
      return new RocksDbBackend(
          directory, db, handles.get(0), writeOptions, familyOptions, resources);
    } catch (RocksDBException | RuntimeException e) {
      closeInReverse(resources, null);
      deleteQuietly(directory);
      if (e instanceof RocksDBException) {
        throw new StateStoreException(
            "Cannot open RocksDB state in " + directory + ": " + describe((RocksDBException) e), e);
      }
      throw (RuntimeException) e;
    }
  }

  public Path directory() {
    return directory;
  }

  /** The store over column family {@code columnFamily}, created on first use. */
  public SortedByteStore store(String columnFamily) {
    checkOpen();
    RocksDbStore store = stores.get(columnFamily);
    if (store == null) {
      ColumnFamilyHandle family = families.get(columnFamily);
      if (family == null) {
        try {
          byte[] name = columnFamily.getBytes(StandardCharsets.UTF_8);
          family = db.createColumnFamily(new ColumnFamilyDescriptor(name, familyOptions));
        } catch (RocksDBException e) {
          throw failure("create column family '" + columnFamily + "'", e);
        }
        families.put(columnFamily, family);
      }
      store = new RocksDbStore(this, family);
      stores.put(columnFamily, store);
    }
    return store;
  }

  /**
   * Closes every native handle, open cursors included, and deletes the directory. Idempotent.
   *
   * @throws StateStoreException if a handle failed to close or the directory could not be
   *     deleted, after everything else was still released
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<Throwable> failures = new ArrayList<>();
    // Cursors and column family handles must go before the database, or closing them crashes.
    for (AutoCloseable cursor : new ArrayList<>(openCursors)) {
      closeCollecting(cursor, failures);
    }
    openCursors.clear();
    stores.clear();
    // Background compactions would otherwise run on, against files about to be deleted.
    db.cancelAllBackgroundWork(true);
    for (ColumnFamilyHandle family : families.values()) {
      closeCollecting(family, failures);
    }
    families.clear();
    closeCollecting(db::closeE, failures);
    closeInReverse(resources, failures);
    try {
      deleteRecursively(directory);
    } catch (IOException | RuntimeException e) {
      failures.add(e);
    }
    if (!failures.isEmpty()) {
      StateStoreException e =
          new StateStoreException("Failed to close RocksDB state in " + directory, failures.get(0));
      failures.stream().skip(1).forEach(e::addSuppressed);
      throw e;
    }
  }

  RocksDB db() {
    checkOpen();
    return db;
  }

  WriteOptions writeOptions() {
    return writeOptions;
  }

  void cursorOpened(AutoCloseable cursor) {
    openCursors.add(cursor);
  }

  void cursorClosed(AutoCloseable cursor) {
    openCursors.remove(cursor);
  }

  /** Wraps a RocksDB failure in an exception naming the directory, and so the disk, that failed. */
  StateStoreException failure(String operation, RocksDBException e) {
    return new StateStoreException(
        "RocksDB state in " + directory + ": " + operation + " failed: " + describe(e), e);
  }

  private void checkOpen() {
    if (closed) {
      throw new StateStoreException("RocksDB state in " + directory + " is closed");
    }
  }

  private static String describe(RocksDBException e) {
    String message = e.getMessage();
    if (e.getStatus() != null && (message == null || message.isEmpty())) {
      message = e.getStatus().getCodeString();
    }
    return message;
  }

  private static <T extends AutoCloseable> T track(List<AutoCloseable> resources, T resource) {
    resources.add(resource);
    return resource;
  }

  private static void closeInReverse(List<AutoCloseable> resources, List<Throwable> failures) {
    List<Throwable> sink = failures == null ? new ArrayList<>() : failures;
    for (int i = resources.size() - 1; i >= 0; i--) {
      closeCollecting(resources.get(i), sink);
    }
    resources.clear();
  }

  private static void closeCollecting(AutoCloseable resource, List<Throwable> failures) {
    try {
      resource.close();
    } catch (Exception e) {
      failures.add(e);
    }
  }

  private static void prepareEmptyDirectory(Path directory) {
    try {
      if (Files.isDirectory(directory)) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
          if (entries.iterator().hasNext()) {
            throw new StateStoreException(
                "RocksDB state directory " + directory + " is not empty; it may be left over from"
                    + " another run or in use by another backend");
          }
        }
      }
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new StateStoreException(
          "Cannot create RocksDB state directory " + directory + ": " + e, e);
    }
  }

  private static void deleteQuietly(Path directory) {
    try {
      deleteRecursively(directory);
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not delete RocksDB state directory {}", directory, e);
    }
  }

  private static void deleteRecursively(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(directory)) {
      paths = walk.sorted(Collections.reverseOrder()).toList();
    }
    for (Path path : paths) {
      Files.deleteIfExists(path);
    }
  }
}

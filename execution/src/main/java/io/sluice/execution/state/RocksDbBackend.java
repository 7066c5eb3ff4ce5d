package io.sluice.execution.state;

import io.sluice.execution.checkpoint.proto.StateFile;
import io.sluice.execution.checkpoint.proto.StoreInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
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
 * <p>Stores sit behind a {@link WriteBackStore}: writes reach RocksDB at a snapshot or when the
 * caches outgrow their eighth of the memory bound, so short-lived state never does.
 *
 * <p>Snapshots are incremental: the synchronous part writes into RocksDB the caches' changes that
 * are older than the last snapshot, copies the newer ones (references, not bytes), flushes the
 * memtables and lists the live SST files; the asynchronous part copies only the SST files that no
 * completed checkpoint already holds into shared storage, and the small rest (manifest, the
 * caches' recent changes) into the checkpoint's own directory. The caches keep their recent
 * changes: written into RocksDB at every checkpoint, state that lives a few seconds (a window)
 * would cost a write, a tombstone, new SST files and their compaction, where the changes file
 * costs a sequential write of what changed since the last checkpoint. SST files are immutable, so a file
 * number names the same bytes for the life of one instance; shared names carry an id of the
 * instance, since a restored instance may reuse numbers a failed one wrote differently.
 *
 * <p>Memory is bounded by one block cache that memtables are charged to as well, so the bound
 * holds however many column families an operator uses. Used from one subtask thread only.
 */
public final class RocksDbBackend implements KeyedStores {

  /** Below this, memtables would be flushed after a few hundred writes. */
  public static final long MIN_MEMORY_BYTES = 8L << 20;

  private static final Logger LOG = LoggerFactory.getLogger(RocksDbBackend.class);
  static final String BACKEND = "ROCKSDB";
  /** The file of a snapshot that holds its write-back caches' unwritten changes. */
  static final String UNWRITTEN_FILE = "unwritten-changes";
  /**
   * The recent changes a snapshot keeps out of RocksDB are at most this fraction of the caches'
   * budget; above it the snapshot writes every change into RocksDB.
   */
  private static final int UNWRITTEN_SHARE = 8;
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
  /** Each column family's store, behind its write-back cache: derived, live while open. */
  private final Map<String, WriteBackStore> stores = new HashMap<>();
  /** What the write-back caches may hold on the heap, together. */
  private final WriteBackStore.Budget cacheBudget;
  private final Set<AutoCloseable> openCursors = Collections.newSetFromMap(new IdentityHashMap<>());
  /** Durable with the stores: how each column family's entries are distributed. */
  private final Map<String, StoreLayout> layouts = new HashMap<>();
  /** Names this instance's new shared files: derived, fresh for every instance. */
  private final String instanceId = UUID.randomUUID().toString();
  /**
   * Immutable files (SST, OPTIONS) of the last completed checkpoint, by local name: a later
   * snapshot references them instead of copying them. Replaced on the task thread when a
   * checkpoint completes; read by the asynchronous part through the reference the synchronous part
   * captured.
   */
  private volatile Map<String, StateFile> confirmedFiles = Map.of();
  /** Immutable files of each checkpoint written and not yet known complete: filled off the task thread. */
  private final Map<Long, Map<String, StateFile>> pendingFiles = new ConcurrentHashMap<>();
  private boolean closed;
  /**
   * Snapshots listed and not yet written or released: their files must stay, so RocksDB deletes
   * none meanwhile and a close leaves the directory to the last of them. Guarded by this.
   */
  private int snapshotsInUse;
  /** Closed while a snapshot was in use: the last one to end deletes the directory. Guarded by this. */
  private boolean deleteWhenUnused;

  private RocksDbBackend(
      Path directory,
      RocksDB db,
      ColumnFamilyHandle defaultFamily,
      WriteOptions writeOptions,
      ColumnFamilyOptions familyOptions,
      List<AutoCloseable> resources,
      long cacheBytes) {
    this.directory = directory;
    this.cacheBudget = new WriteBackStore.Budget(cacheBytes);
    this.db = db;
    this.writeOptions = writeOptions;
    this.familyOptions = familyOptions;
    this.resources = resources;
    families.put(DEFAULT_FAMILY, defaultFamily);
  }

  /**
   * Opens a new, empty instance in {@code directory}, which must not exist or be empty: leftovers
   * of another run are refused rather than deleted, since a misconfigured path could point
   * anywhere. {@code memoryBytes} bounds write-back caches, block cache and memtables together (at least {@link
   * #MIN_MEMORY_BYTES}).
   */
  public static RocksDbBackend open(Path directory, long memoryBytes) {
    prepareEmptyDirectory(directory);
    return openIn(directory, memoryBytes, List.of(RocksDB.DEFAULT_COLUMN_FAMILY));
  }

  /**
   * Opens an instance in {@code directory} (empty, or holding a restored database with the column
   * families {@code familyNames}, the default one first).
   */
  private static RocksDbBackend openIn(Path directory, long memoryBytes, List<byte[]> familyNames) {
    long total = Math.max(memoryBytes, MIN_MEMORY_BYTES);
    // An eighth on the Java heap, for the write-back caches; the rest is RocksDB's.
    long cacheBytes = total / 8;
    long capacity = total - cacheBytes;
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
          .setKeepLogFileNum(2)
          .setAtomicFlush(true);
      WriteOptions writeOptions = track(resources, new WriteOptions().setDisableWAL(true));

      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      for (byte[] name : familyNames) {
        descriptors.add(new ColumnFamilyDescriptor(name, familyOptions));
      }
      List<ColumnFamilyHandle> handles = new ArrayList<>(descriptors.size());
      RocksDB db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
      LOG.debug("Opened RocksDB state in {} with {} bytes of memory", directory, capacity);
      RocksDbBackend backend =
          new RocksDbBackend(directory, db, handles.get(0), writeOptions, familyOptions, resources, cacheBytes);
      for (int i = 1; i < handles.size(); i++) {
        backend.families.put(new String(familyNames.get(i), StandardCharsets.UTF_8), handles.get(i));
      }
      return backend;
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

  /**
   * Opens an instance in {@code directory} with what {@code restore} says belongs to it: the files
   * of one RocksDB snapshot as they are when it takes one over whole, else the entries of every
   * part (of either backend) that belong here.
   */
  static RocksDbBackend restore(Path directory, long memoryBytes, StateRestore restore) {
    prepareEmptyDirectory(directory);
    RestoredPart whole = restore.isOneToOne() && restore.parts().get(0).backend().equals(BACKEND)
        ? restore.parts().get(0) : null;
    if (whole == null) {
      RocksDbBackend backend = openIn(directory, memoryBytes, List.of(RocksDB.DEFAULT_COLUMN_FAMILY));
      Path scratch = directory.resolveSibling(directory.getFileName() + "-restore");
      try {
        restore.copyInto(backend, scratch);
      } catch (RuntimeException e) {
        backend.closeQuietly();
        throw e;
      }
      return backend;
    }
    materialize(whole, directory);
    List<byte[]> families = familiesOf(directory);
    RocksDbBackend backend = openIn(directory, memoryBytes, families);
    for (StoreInfo info : whole.stores()) {
      backend.layouts.put(info.getName(), StoreLayout.valueOf(info.getLayout()));
    }
    try {
      // Back into the caches, as they were: still unwritten to RocksDB.
      readUnwritten(whole, (store, layout, key, value) -> {
        SortedByteStore target = backend.store(store, layout);
        if (value == null) {
          target.delete(key);
        } else {
          target.put(key, value);
        }
      });
    } catch (RuntimeException e) {
      backend.closeQuietly();
      throw e;
    }
    // No file counts as already written: the job may checkpoint under another root than the one
    // restored from, so its first checkpoint copies everything and later ones share from there.
    return backend;
  }

  /**
   * Puts the files of {@code part} into {@code directory} under their local names: SST files as hard
   * links where the file system allows (RocksDB never modifies one, only deletes it), the rest as
   * copies.
   */
  private static void materialize(RestoredPart part, Path directory) {
    try {
      Files.createDirectories(directory);
      for (StateFile file : part.files()) {
        if (file.getLocalName().equals(UNWRITTEN_FILE)) {
          continue;
        }
        Path target = directory.resolve(file.getLocalName());
        Path source = part.location(file);
        if (!file.getLocalName().endsWith(".sst")) {
          // The manifest may be appended to: the checkpoint's copy must not change with it.
          Files.copy(source, target);
          continue;
        }
        try {
          Files.createLink(target, source);
        } catch (IOException | UnsupportedOperationException e) {
          Files.copy(source, target);
        }
      }
    } catch (IOException e) {
      throw new StateStoreException("Cannot restore RocksDB state into " + directory + ": " + e, e);
    }
  }

  private static List<byte[]> familiesOf(Path directory) {
    try (Options options = new Options()) {
      List<byte[]> names = new ArrayList<>(RocksDB.listColumnFamilies(options, directory.toString()));
      // The default family first, as the handles are mapped.
      names.removeIf(n -> java.util.Arrays.equals(n, RocksDB.DEFAULT_COLUMN_FAMILY));
      names.add(0, RocksDB.DEFAULT_COLUMN_FAMILY);
      return names;
    } catch (RocksDBException e) {
      throw new StateStoreException("Cannot read the column families of restored state in " + directory
          + ": " + describe(e), e);
    }
  }

  /** Passes the caches' unwritten changes that {@code part} holds to {@code sink}, a delete as a null value. */
  private static void readUnwritten(RestoredPart part, HeapSnapshotFormat.EntrySink sink) {
    for (StateFile file : part.files()) {
      if (file.getLocalName().equals(UNWRITTEN_FILE)) {
        try {
          HeapSnapshotFormat.read(part.location(file), sink);
        } catch (IOException e) {
          throw new StateStoreException("Cannot read the unwritten state changes of subtask " + part.subtask()
              + " in " + part.location(file) + ": " + e, e);
        }
      }
    }
  }

  /**
   * Reads every entry of a RocksDB snapshot, through a read-only instance in {@code scratch},
   * with its caches' unwritten changes applied.
   */
  static void readEntries(RestoredPart part, Path scratch, HeapSnapshotFormat.EntrySink sink) {
    Map<String, TreeMap<byte[], byte[]>> changes = new HashMap<>();
    readUnwritten(part, (store, layout, key, value) ->
        changes.computeIfAbsent(store, s -> new TreeMap<>(Arrays::compareUnsigned)).put(key, value));
    deleteQuietly(scratch);
    materialize(part, scratch);
    List<byte[]> names = familiesOf(scratch);
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    for (byte[] name : names) {
      descriptors.add(new ColumnFamilyDescriptor(name));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (DBOptions options = new DBOptions();
        RocksDB db = RocksDB.openReadOnly(options, scratch.toString(), descriptors, handles)) {
      for (int i = 1; i < handles.size(); i++) {
        String store = new String(names.get(i), StandardCharsets.UTF_8);
        StoreLayout layout = part.layoutOf(store);
        Map<byte[], byte[]> changed = changes.containsKey(store) ? changes.get(store) : Map.of();
        try (RocksIterator it = db.newIterator(handles.get(i))) {
          for (it.seekToFirst(); it.isValid(); it.next()) {
            byte[] key = it.key();
            if (!changed.containsKey(key)) {
              sink.accept(store, layout, key, it.value());
            }
          }
          it.status();
        }
      }
      changes.forEach((store, changed) -> changed.forEach((key, value) -> {
        if (value != null) {
          sink.accept(store, part.layoutOf(store), key, value);
        }
      }));
      for (ColumnFamilyHandle handle : handles) {
        handle.close();
      }
    } catch (RocksDBException e) {
      throw new StateStoreException("Cannot read RocksDB snapshot of subtask " + part.subtask() + ": " + describe(e), e);
    } finally {
      deleteQuietly(scratch);
    }
  }

  public Path directory() {
    return directory;
  }

  /** The store over column family {@code columnFamily}, created on first use. */
  @Override
  public SortedByteStore store(String columnFamily, StoreLayout layout) {
    checkOpen();
    StoreLayout known = layouts.putIfAbsent(columnFamily, layout);
    if (known != null && known != layout) {
      throw new IllegalArgumentException("store '" + columnFamily + "' is laid out as " + known + ", not " + layout);
    }
    WriteBackStore store = stores.get(columnFamily);
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
      store = new WriteBackStore(new RocksDbStore(this, family), cacheBudget);
      stores.put(columnFamily, store);
    }
    return store;
  }

  /**
   * The synchronous part, as RocksDB's own checkpoint does it but without its file work on the task
   * thread: the write-back caches settle (older changes written, recent ones copied), file deletions stop, every column family's memtable is flushed at one point (atomic
   * flush) and the live files are listed. Those files never change and, until the snapshot is
   * written or released, are never deleted: a consistent view that later writes do not touch. The
   * files are linked or copied by the asynchronous part.
   */
  @Override
  public StoresSnapshot snapshot(long checkpointId) {
    checkOpen();
    List<StoreInfo> infos = new ArrayList<>();
    layouts.forEach((name, layout) -> infos.add(StoreInfo.newBuilder().setName(name).setLayout(layout.name()).build()));
    RocksDB.LiveFiles live;
    List<HeapSnapshotFormat.StoreCopy> unwritten = new ArrayList<>();
    long recentBytes = 0;
    for (Map.Entry<String, WriteBackStore> store : stores.entrySet()) {
      List<Map.Entry<byte[], byte[]>> changes = store.getValue().settleForSnapshot();
      for (Map.Entry<byte[], byte[]> change : changes) {
        recentBytes += change.getKey().length + (change.getValue() == null ? 0 : change.getValue().length);
      }
      if (!changes.isEmpty()) {
        String name = store.getKey();
        unwritten.add(new HeapSnapshotFormat.StoreCopy(name, layouts.get(name), changes.size(), changes));
      }
    }
    if (recentBytes > cacheBudget.limitBytes() / UNWRITTEN_SHARE) {
      // State that changes faster than that is better written once into RocksDB than at every
      // snapshot into the file as well (and replayed into caches it would overflow).
      stores.values().forEach(WriteBackStore::flush);
      unwritten.clear();
    }
    try {
      db.disableFileDeletions();
    } catch (RocksDBException e) {
      throw failure("checkpoint " + checkpointId, e);
    }
    synchronized (this) {
      snapshotsInUse++;
    }
    try {
      live = db.getLiveFiles(true);
    } catch (RocksDBException | RuntimeException e) {
      synchronized (this) {
        snapshotEnded();
      }
      throw e instanceof RocksDBException r ? failure("checkpoint " + checkpointId, r) : (RuntimeException) e;
    }
    Map<String, StateFile> confirmed = confirmedFiles;
    return new StoresSnapshot() {
      /** Whether it was written or released. Guarded by the backend. */
      private boolean ended;

      @Override
      public WrittenState write(SnapshotFiles files) throws IOException {
        try {
          return upload(checkpointId, live, confirmed, infos, unwritten, files);
        } finally {
          release();
        }
      }

      @Override
      public void release() {
        synchronized (RocksDbBackend.this) {
          if (!ended) {
            ended = true;
            snapshotEnded();
          }
        }
      }
    };
  }

  /**
   * A snapshot was written or released: its files may go, and the directory if the backend closed
   * meanwhile. Called holding the backend's lock.
   */
  private void snapshotEnded() {
    snapshotsInUse--;
    if (closed) {
      if (snapshotsInUse == 0 && deleteWhenUnused) {
        deleteQuietly(directory);
      }
      return;
    }
    try {
      db.enableFileDeletions();
    } catch (RocksDBException e) {
      LOG.warn("RocksDB state in {}: could not allow file deletions again; its files will pile up", directory, e);
    }
  }

  /**
   * The asynchronous part: the live files the synchronous part listed, as RocksDB's checkpoint
   * would have them (the manifest up to its size then, a CURRENT naming it), less the SST files
   * the last completed checkpoint holds.
   */
  private WrittenState upload(long checkpointId, RocksDB.LiveFiles live, Map<String, StateFile> confirmed,
      List<StoreInfo> infos, List<HeapSnapshotFormat.StoreCopy> unwritten, SnapshotFiles files) throws IOException {
    List<StateFile> written = new ArrayList<>();
    Map<String, StateFile> immutable = new HashMap<>();
    long bytesWritten = 0;
    long bytesShared = 0;
    List<String> names = new ArrayList<>();
    String manifest = null;
    for (String liveFile : live.files) {
      String name = liveFile.startsWith("/") ? liveFile.substring(1) : liveFile;
      names.add(name);
      if (name.startsWith("MANIFEST-")) {
        manifest = name;
      }
    }
    if (manifest == null) {
      throw new IOException("RocksDB state in " + directory + " lists no manifest among its live files " + names);
    }
    Collections.sort(names);
    for (String name : names) {
      Path path = directory.resolve(name);
      StateFile file;
      if (name.equals("CURRENT")) {
        // The live one may name a newer manifest by now.
        byte[] current = (manifest + "\n").getBytes(StandardCharsets.UTF_8);
        file = files.write(name, out -> out.write(current));
        bytesWritten += file.getSize();
      } else if (name.equals(manifest)) {
        // Appended to since: the state listed ends where the manifest ended then.
        long size = live.manifestFileSize;
        file = files.write(name, out -> copyPrefix(path, size, out));
        bytesWritten += file.getSize();
      } else if (name.endsWith(".sst") || name.startsWith("OPTIONS-")) {
        // Never changed once written (RocksDB writes a new OPTIONS file under a new number):
        // shared, and written only by the first checkpoint that holds it.
        file = confirmed.get(name);
        if (file != null) {
          bytesShared += file.getSize();
        } else {
          file = files.copyShared(path, instanceId + "-" + name, name);
          bytesWritten += file.getSize();
        }
        immutable.put(name, file);
      } else {
        file = files.copy(path, name);
        bytesWritten += file.getSize();
      }
      written.add(file);
    }
    if (!unwritten.isEmpty()) {
      StateFile file = files.write(UNWRITTEN_FILE, out -> HeapSnapshotFormat.write(unwritten, unwritten.size(), out));
      bytesWritten += file.getSize();
      written.add(file);
    }
    pendingFiles.put(checkpointId, immutable);
    return new WrittenState(BACKEND, written, infos, bytesWritten, bytesShared);
  }

  @Override
  public void checkpointComplete(long checkpointId) {
    Map<String, StateFile> files = pendingFiles.remove(checkpointId);
    pendingFiles.keySet().removeIf(id -> id < checkpointId);
    if (files != null) {
      confirmedFiles = files;
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      LOG.warn("Could not close RocksDB state in {}", directory, e);
    }
  }

  /**
   * Closes every native handle, open cursors included, and deletes the directory. Idempotent.
   *
   * @throws StateStoreException if a handle failed to close or the directory could not be
   *     deleted, after everything else was still released
   */
  @Override
  public synchronized void close() {
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
    stores.values().forEach(WriteBackStore::close);
    stores.clear();
    // Background compactions would otherwise run on, against files about to be deleted.
    db.cancelAllBackgroundWork(true);
    for (ColumnFamilyHandle family : families.values()) {
      closeCollecting(family, failures);
    }
    families.clear();
    closeCollecting(db::closeE, failures);
    closeInReverse(resources, failures);
    if (snapshotsInUse > 0) {
      // A checkpoint is still copying its files: it deletes the directory when done.
      deleteWhenUnused = true;
    } else {
      try {
        deleteRecursively(directory);
      } catch (IOException | RuntimeException e) {
        failures.add(e);
      }
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

  private static void copyPrefix(Path source, long size, java.io.OutputStream out) throws IOException {
    try (java.io.InputStream in = Files.newInputStream(source)) {
      byte[] buffer = new byte[1 << 16];
      long left = size;
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw new IOException(source + " is shorter than the " + size + " bytes it had");
        }
        out.write(buffer, 0, n);
        left -= n;
      }
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

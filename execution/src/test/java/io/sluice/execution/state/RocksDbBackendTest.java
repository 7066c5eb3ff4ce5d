package io.sluice.execution.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.checkpoint.proto.StateFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbBackendTest extends SortedByteStoreContract {

  @TempDir Path temp;
  private Path directory;
  private RocksDbBackend backend;

  @BeforeEach
  void open() {
    directory = temp.resolve("op-1/subtask-0");
    backend = RocksDbBackend.open(directory, 8L << 20);
  }

  @AfterEach
  void close() {
    backend.close();
  }

  @Override
  protected SortedByteStore store() {
    return backend.store("contract");
  }

  @Test
  void columnFamiliesAreIndependent() {
    SortedByteStore a = backend.store("a");
    SortedByteStore b = backend.store("b");
    a.put(bytes(1), bytes(10));
    b.put(bytes(1), bytes(20));
    b.put(bytes(2), bytes(21));
    assertArrayEquals(bytes(10), a.get(bytes(1)));
    assertArrayEquals(bytes(20), b.get(bytes(1)));
    assertNull(a.get(bytes(2)));
    a.deletePrefix(bytes());
    assertNull(a.get(bytes(1)));
    assertEquals(List.of("01=14", "02=15"), drain(b.scan(bytes())));
    assertSame(a, backend.store("a"));
    backend.store("default").put(bytes(1), bytes(30));
    assertArrayEquals(bytes(30), backend.store("default").get(bytes(1)));
    assertArrayEquals(bytes(20), b.get(bytes(1)));
  }

  /** Snapshot files in a plain directory, as a checkpoint would hold them. */
  private static SnapshotFiles filesIn(Path target) {
    return new SnapshotFiles() {
      @Override
      public StateFile write(String localName, StreamWriter writer) throws IOException {
        try (OutputStream out = Files.newOutputStream(target.resolve(localName))) {
          writer.writeTo(out);
        }
        return describe(localName);
      }

      @Override
      public StateFile copy(Path source, String localName) throws IOException {
        Files.copy(source, target.resolve(localName));
        return describe(localName);
      }

      @Override
      public StateFile copyShared(Path source, String sharedName, String localName) throws IOException {
        return copy(source, localName);
      }

      private StateFile describe(String localName) throws IOException {
        return StateFile.newBuilder().setPath(localName).setLocalName(localName)
            .setSize(Files.size(target.resolve(localName))).build();
      }
    };
  }

  @Test
  void aSnapshotHoldsTheStateAtItsTimeAndOutlivesAClose() throws Exception {
    SortedByteStore s = backend.store("s");
    s.put(bytes(1), bytes(10));
    ((WriteBackStore) s).flush();
    StoresSnapshot snapshot = backend.snapshot(1);
    s.put(bytes(1), bytes(11));
    s.put(bytes(2), bytes(20));
    backend.close();
    assertTrue(Files.isDirectory(directory), "the snapshot's files stay until it is written");

    Path written = Files.createDirectories(temp.resolve("written"));
    WrittenState state = snapshot.write(filesIn(written));
    assertFalse(Files.exists(directory), "the last snapshot to end deletes the directory");
    List<String> names = state.files().stream().map(StateFile::getLocalName).toList();
    assertTrue(names.contains("CURRENT") && names.stream().anyMatch(n -> n.startsWith("MANIFEST-"))
        && names.stream().anyMatch(n -> n.endsWith(".sst")), "a RocksDB checkpoint's files: " + names);
    assertFalse(names.contains(RocksDbBackend.UNWRITTEN_FILE), "nothing was left unwritten: " + names);

    List<byte[]> families = RocksDB.listColumnFamilies(new Options(), written.toString());
    List<ColumnFamilyDescriptor> descriptors = families.stream().map(ColumnFamilyDescriptor::new).toList();
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (RocksDB db = RocksDB.openReadOnly(written.toString(), descriptors, handles)) {
      ColumnFamilyHandle family = handles.get(families.stream().map(String::new).toList().indexOf("s"));
      assertArrayEquals(bytes(10), db.get(family, bytes(1)), "the value at the snapshot");
      assertNull(db.get(family, bytes(2)), "nothing written after it");
      handles.forEach(ColumnFamilyHandle::close);
    }
  }

  /**
   * Incremental: once a checkpoint is complete, the next one references its immutable files (SST
   * files, RocksDB's OPTIONS file) instead of writing them again.
   */
  @Test
  void aLaterSnapshotWritesNoImmutableFileAgain() throws Exception {
    SortedByteStore s = backend.store("s");
    s.put(bytes(1), bytes(10));
    ((WriteBackStore) s).flush();
    WrittenState first = backend.snapshot(1).write(filesIn(Files.createDirectories(temp.resolve("first"))));
    backend.checkpointComplete(1);
    List<String> writtenAgain = new ArrayList<>();
    SnapshotFiles files = filesIn(Files.createDirectories(temp.resolve("second")));
    WrittenState second = backend.snapshot(2).write(new SnapshotFiles() {
      @Override
      public StateFile write(String localName, StreamWriter writer) throws IOException {
        writtenAgain.add(localName);
        return files.write(localName, writer);
      }

      @Override
      public StateFile copy(Path source, String localName) throws IOException {
        writtenAgain.add(localName);
        return files.copy(source, localName);
      }

      @Override
      public StateFile copyShared(Path source, String sharedName, String localName) throws IOException {
        writtenAgain.add(localName);
        return files.copyShared(source, sharedName, localName);
      }
    });
    List<String> firstNames = first.files().stream().map(StateFile::getLocalName).toList();
    assertTrue(firstNames.stream().anyMatch(n -> n.startsWith("OPTIONS-")), "files: " + firstNames);
    assertTrue(writtenAgain.stream().noneMatch(n -> n.endsWith(".sst") || n.startsWith("OPTIONS-")),
        "written again: " + writtenAgain);
    assertEquals(first.files().stream().filter(f -> f.getLocalName().startsWith("OPTIONS-")).toList(),
        second.files().stream().filter(f -> f.getLocalName().startsWith("OPTIONS-")).toList());
    assertTrue(second.bytesShared() > 0, "shared: " + second.bytesShared());
  }

  /**
   * Changes the caches still hold when a snapshot is taken (a put over a value RocksDB has, a
   * delete of one, a new key) go into the snapshot beside the SST files, and both kinds of restore
   * see them: one that takes the snapshot over whole, and one that reads its entries (a rescale).
   */
  @Test
  void aSnapshotHoldsTheCachesUnwrittenChanges() throws Exception {
    SortedByteStore s = backend.store("s");
    s.put(bytes(1), bytes(10));
    s.put(bytes(2), bytes(20));
    s.put(bytes(3), bytes(30));
    ((WriteBackStore) s).flush();
    s.put(bytes(1), bytes(11));
    s.delete(bytes(2));
    s.put(bytes(4), bytes(40));
    StoresSnapshot snapshot = backend.snapshot(1);
    s.put(bytes(1), bytes(12));
    s.put(bytes(5), bytes(50));
    s.delete(bytes(3));

    Path written = Files.createDirectories(temp.resolve("written"));
    WrittenState state = snapshot.write(filesIn(written));
    assertTrue(state.files().stream().anyMatch(f -> f.getLocalName().equals(RocksDbBackend.UNWRITTEN_FILE)),
        "the unwritten changes are a file of the snapshot");
    RestoredPart part = new RestoredPart(RocksDbBackend.BACKEND, state.files(), state.stores(), written, 0, 1);

    RocksDbBackend restored = RocksDbBackend.restore(temp.resolve("restored"), 8L << 20,
        new StateRestore(List.of(part), new KeyGroups(KeyGroups.DEFAULT_MAX_PARALLELISM), 0, 1));
    try {
      SortedByteStore r = restored.store("s");
      assertEquals(List.of("01=0b", "03=1e", "04=28"), drain(r.scan(bytes())));
      assertNull(r.get(bytes(2)));
      assertNull(r.get(bytes(5)));
    } finally {
      restored.close();
    }

    List<String> entries = new ArrayList<>();
    RocksDbBackend.readEntries(part, temp.resolve("scratch"),
        (store, layout, key, value) -> entries.add(store + ":" + hex(key) + "=" + hex(value)));
    entries.sort(null);
    assertEquals(List.of("s:01=0b", "s:03=1e", "s:04=28"), entries);
  }

  /**
   * Changes that outweigh an eighth of the caches' budget (here 128 KiB of 1 MiB) are written into
   * RocksDB at the snapshot: a file of them would be written again at every snapshot while the
   * state keeps changing, and replayed into caches it overflows.
   */
  @Test
  void aSnapshotWritesAllChangesIntoRocksDbWhenTheyAreMany() throws Exception {
    SortedByteStore s = backend.store("s");
    for (int i = 0; i < 200; i++) {
      s.put(bytes(i / 256, i % 256), new byte[1024]);
    }
    StoresSnapshot snapshot = backend.snapshot(1);
    Path written = Files.createDirectories(temp.resolve("written"));
    WrittenState state = snapshot.write(filesIn(written));
    assertFalse(state.files().stream().anyMatch(f -> f.getLocalName().equals(RocksDbBackend.UNWRITTEN_FILE)),
        "200 KiB of changes go into RocksDB, not beside it");
    List<String> entries = new ArrayList<>();
    RocksDbBackend.readEntries(new RestoredPart(RocksDbBackend.BACKEND, state.files(), state.stores(), written, 0, 1),
        temp.resolve("scratch"), (store, layout, key, value) -> entries.add(hex(key)));
    assertEquals(200, entries.size());
  }

  @Test
  void closeReleasesOpenCursorsAndDeletesTheDirectory() {
    SortedByteStore s = backend.store("s");
    s.put(bytes(1), bytes(1));
    s.put(bytes(2), bytes(2));
    SortedByteStore.Cursor left = s.scan(bytes());
    left.next();
    assertTrue(Files.isDirectory(directory));
    backend.close();
    assertFalse(Files.exists(directory));
    assertFalse(left.hasNext(), "closed with the backend");
    left.close();
    backend.close(); // idempotent
    assertThrows(StateStoreException.class, () -> s.get(bytes(1)));
    assertThrows(StateStoreException.class, () -> s.scan(bytes()));
    assertThrows(StateStoreException.class, () -> backend.store("t"));
  }

  @Test
  void refusesADirectoryThatIsInUse() {
    StateStoreException e = assertThrows(StateStoreException.class, () -> RocksDbBackend.open(directory, 0));
    assertTrue(e.getMessage().contains(directory.toString()), e.getMessage());
    // The refused open must not have touched the first backend's files.
    backend.store("s").put(bytes(1), bytes(2));
    assertArrayEquals(bytes(2), backend.store("s").get(bytes(1)));
  }

  @Test
  void failureToCreateTheDirectoryNamesIt() throws Exception {
    Path file = Files.createFile(temp.resolve("a-file"));
    StateStoreException e =
        assertThrows(StateStoreException.class, () -> RocksDbBackend.open(file.resolve("db"), 0));
    assertTrue(e.getMessage().contains(file.resolve("db").toString()), e.getMessage());
  }

  @Test
  void holdsMoreDataThanItsMemoryBound() {
    SortedByteStore s = backend.store("big");
    Random random = new Random(42);
    int entries = 20_000;
    for (int i = 0; i < entries; i++) {
      byte[] value = new byte[1024];
      random.nextBytes(value);
      ByteBuffer.wrap(value).putInt(i);
      s.put(key(i), value);
    }
    for (int i = 0; i < entries; i += 997) {
      assertEquals(i, ByteBuffer.wrap(s.get(key(i))).getInt());
    }
    int count = 0;
    try (SortedByteStore.Cursor cursor = s.scan(new byte[] {'k'})) {
      while (cursor.hasNext()) {
        Map.Entry<byte[], byte[]> e = cursor.next();
        assertEquals(count, ByteBuffer.wrap(e.getValue()).getInt());
        assertEquals(1024, e.getValue().length);
        count++;
      }
    }
    assertEquals(entries, count);
    s.deletePrefix(new byte[] {'k'});
    try (SortedByteStore.Cursor cursor = s.scan(new byte[0])) {
      assertFalse(cursor.hasNext());
    }
    assertNull(s.get(key(123)));
  }

  private static byte[] key(int i) {
    return ByteBuffer.allocate(5).put((byte) 'k').putInt(i).array();
  }
}

package io.sluice.execution.state;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;

/**
 * The file a heap snapshot is written as: a magic number and version, then each store's name,
 * layout and entries (length-prefixed keys and values, in key order). A RocksDB snapshot writes
 * its write-back caches' unwritten changes in it too, where a value of length -1 is a delete.
 */
final class HeapSnapshotFormat {

  static final String FILE_NAME = "heap-state";
  private static final int MAGIC = 0x534c4850; // "SLHP"
  private static final int VERSION = 1;

  private HeapSnapshotFormat() {}

  /** One store's contents (or changes) at the snapshot: {@code size} entries, a null value a delete. */
  record StoreCopy(String name, StoreLayout layout, long size, Iterable<? extends Map.Entry<byte[], byte[]>> entries) {

    StoreCopy(String name, StoreLayout layout, SortedMap<byte[], byte[]> entries) {
      this(name, layout, entries.size(), entries.entrySet());
    }
  }

  static void write(Iterable<StoreCopy> stores, int count, OutputStream target) throws IOException {
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(target, 1 << 16));
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeInt(count);
    for (StoreCopy store : stores) {
      out.writeUTF(store.name());
      out.writeUTF(store.layout().name());
      out.writeLong(store.size());
      for (Map.Entry<byte[], byte[]> entry : store.entries()) {
        out.writeInt(entry.getKey().length);
        out.write(entry.getKey());
        byte[] value = entry.getValue();
        out.writeInt(value == null ? -1 : value.length);
        if (value != null) {
          out.write(value);
        }
      }
    }
    out.flush();
  }

  /** Receives the entries of a snapshot (a null value: a delete, in a file of changes). */
  interface EntrySink {
    void accept(String store, StoreLayout layout, byte[] key, byte[] value);
  }

  static void read(Path file, EntrySink sink) throws IOException {
    try (InputStream stream = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(stream, 1 << 16))) {
      if (in.readInt() != MAGIC) {
        throw new IOException(file + " is not a heap state snapshot");
      }
      int version = in.readInt();
      if (version != VERSION) {
        throw new IOException(file + " has heap snapshot format " + version + ", this version reads " + VERSION);
      }
      int stores = in.readInt();
      for (int s = 0; s < stores; s++) {
        String name = in.readUTF();
        StoreLayout layout = StoreLayout.valueOf(in.readUTF());
        long entries = in.readLong();
        for (long e = 0; e < entries; e++) {
          byte[] key = new byte[in.readInt()];
          in.readFully(key);
          int length = in.readInt();
          byte[] value = length < 0 ? null : new byte[length];
          if (value != null) {
            in.readFully(value);
          }
          sink.accept(name, layout, key, value);
        }
      }
    }
  }
}

package io.sluice.translation.operators.batch;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * One key's values read from the external sorter's merged runs, made readable more than once: the
 * first {@code heapLimit} bytes stay on the heap, the rest go to a file of their own. A key may
 * thus have more values than the heap holds (a hot key in skewed data). Reused from key to key.
 */
final class SpilledGroup implements EncodedValues {

  private final Path directory;
  private final long heapLimit;
  /** The values on the heap, as a run: derived (batch input, a batch job reruns), lives until the next key. */
  private ValueRun heap;
  /** Bytes in {@link #heap}: derived from it, per key. */
  private long heapBytes;
  /**
   * Values past the heap limit, as length-prefixed records; null when all fit on the heap. Derived,
   * per key: the file is deleted when the next key loads or the group is cleared.
   */
  private Path overflow;
  /** Open passes over {@link #overflow}, closed with the key even if their reader gave up early: per key. */
  private final List<Cursor> openCursors = new ArrayList<>();

  SpilledGroup(Path directory, long heapLimit) {
    this.directory = directory;
    this.heapLimit = heapLimit;
  }

  /** Reads the whole group from {@code values}, dropping the previous key's. */
  void load(Iterator<byte[]> values) throws IOException {
    clear();
    heap = new ValueRun(256);
    DataOutputStream spill = null;
    try {
      while (values.hasNext()) {
        byte[] value = values.next();
        if (spill == null && heapBytes + value.length <= heapLimit) {
          heapBytes += heap.add(value, 0, value.length);
          continue;
        }
        if (spill == null) {
          overflow = Files.createTempFile(directory, "group-", ".values");
          spill = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(overflow), 1 << 16));
        }
        spill.writeInt(value.length);
        spill.write(value);
      }
    } finally {
      if (spill != null) {
        spill.close();
      }
    }
  }

  @Override
  public boolean onDisk() {
    return overflow != null;
  }

  @Override
  public Cursor cursor() throws IOException {
    Cursor onHeap = heap.cursor();
    DataInputStream file = overflow == null ? null
        : new DataInputStream(new BufferedInputStream(Files.newInputStream(overflow), 1 << 16));
    Cursor cursor = new Cursor() {
      /** The heap part is read, the rest comes from the file: derived, per pass. */
      private boolean inFile;
      /** The current value read from the file: derived, reused from value to value for the pass. */
      private byte[] buffer = new byte[64];
      /** The current file value's length: derived, per element. */
      private int length;

      @Override
      public boolean next() throws IOException {
        if (!inFile) {
          if (onHeap.next()) {
            return true;
          }
          inFile = true;
        }
        if (file == null) {
          return false;
        }
        try {
          length = file.readInt();
        } catch (EOFException e) {
          return false;
        }
        if (length > buffer.length) {
          buffer = new byte[Math.max(length, buffer.length * 2)];
        }
        file.readFully(buffer, 0, length);
        return true;
      }

      @Override
      public byte[] bytes() {
        return inFile ? buffer : onHeap.bytes();
      }

      @Override
      public int offset() {
        return inFile ? 0 : onHeap.offset();
      }

      @Override
      public int length() {
        return inFile ? length : onHeap.length();
      }

      @Override
      public void close() throws IOException {
        if (file != null) {
          file.close();
        }
      }
    };
    if (file != null) {
      openCursors.add(cursor);
    }
    return cursor;
  }

  /** Drops the current key's values and its file. */
  void clear() throws IOException {
    heap = null;
    heapBytes = 0;
    for (Cursor c : openCursors) {
      c.close();
    }
    openCursors.clear();
    if (overflow != null) {
      Files.deleteIfExists(overflow);
      overflow = null;
    }
  }
}

package io.sluice.translation.operators.batch;

import io.sluice.execution.state.VarInts;
import java.util.Arrays;

/**
 * One key's encoded values on the heap, back to back in a single growing array (each as a varint
 * length and its bytes): a few objects per key instead of an object graph per value.
 */
final class ValueRun implements EncodedValues {

  /** The values back to back: derived, batch input (a batch job reruns), until its key is handed out. */
  private byte[] bytes;
  /** Bytes of {@link #bytes} in use: derived, as long as it. */
  private int size;

  ValueRun(int initialCapacity) {
    bytes = new byte[Math.max(16, initialCapacity)];
  }

  /** Appends one value; returns by how many bytes the run's array grew. */
  int add(byte[] from, int offset, int length) {
    int before = bytes.length;
    int needed = size + 5 + length;
    if (needed > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length + (bytes.length >> 1)));
    }
    size = VarInts.write(bytes, size, length);
    System.arraycopy(from, offset, bytes, size, length);
    size += length;
    return bytes.length - before;
  }

  /** Heap bytes the run holds. */
  int capacity() {
    return bytes.length;
  }

  @Override
  public boolean onDisk() {
    return false;
  }

  @Override
  public Cursor cursor() {
    return new Cursor() {
      /** Where the next value's length starts: derived, per pass. */
      private int position;
      /** The current value's offset: derived, per element. */
      private int offset;
      /** The current value's length: derived, per element. */
      private int length;

      @Override
      public boolean next() {
        if (position >= size) {
          return false;
        }
        long read = VarInts.read(bytes, position);
        offset = position + VarInts.length(read);
        length = VarInts.value(read);
        position = offset + length;
        return true;
      }

      @Override
      public byte[] bytes() {
        return bytes;
      }

      @Override
      public int offset() {
        return offset;
      }

      @Override
      public int length() {
        return length;
      }

      @Override
      public void close() {}
    };
  }
}

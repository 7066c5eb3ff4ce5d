package io.sluice.translation.operators.timely;

import io.sluice.execution.state.SortedByteStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * Main input that waits for its side inputs, kept in an operator store of the backend so that a
 * checkpoint holds it: one entry per element, under an increasing sequence number (arrival order),
 * holding the element's key (null when the ParDo is stateless) and the element as its coder
 * encodes it. The sequence and the smallest timestamp are derived: rebuilt from the store on
 * {@link #restore()}.
 */
final class PushedBackInput {

  /** An element waiting for side inputs, with its key (null when stateless). */
  record Pending(byte[] key, WindowedValue<Object> element) {}

  /** Opened on first use: a ParDo whose side inputs are always ready opens no store for this. */
  private final Supplier<SortedByteStore> storeSupplier;
  private SortedByteStore store;
  private final Coder<WindowedValue<Object>> coder;
  /** Next entry's sequence number: derived (one past the store's last), lives with the operator. */
  private long nextSequence;
  /** Entries in the store: derived. */
  private int size;
  /** The smallest timestamp of an entry, Long.MAX_VALUE if none: derived, it holds the watermark. */
  private long minTimestamp = Long.MAX_VALUE;

  PushedBackInput(Supplier<SortedByteStore> store, Coder<WindowedValue<Object>> coder) {
    this.storeSupplier = store;
    this.coder = coder;
  }

  private SortedByteStore store() {
    if (store == null) {
      store = storeSupplier.get();
    }
    return store;
  }

  void add(byte[] key, WindowedValue<Object> element) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(key == null ? -1 : key.length);
      if (key != null) {
        out.write(key);
      }
      coder.encode(element, out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep a main-input element while it waits for side inputs", e);
    }
    store().put(ByteBuffer.allocate(8).putLong(nextSequence++).array(), bytes.toByteArray());
    size++;
    minTimestamp = Math.min(minTimestamp, element.getTimestamp().getMillis());
  }

  boolean isEmpty() {
    return size == 0;
  }

  long minTimestamp() {
    return minTimestamp;
  }

  /** Removes and returns every waiting element, oldest first; those still not ready are added again. */
  List<Pending> takeAll() {
    if (size == 0) {
      return List.of();
    }
    List<Pending> all = new ArrayList<>(size);
    try (SortedByteStore.Cursor cursor = store().scan(new byte[0])) {
      while (cursor.hasNext()) {
        all.add(decode(cursor.next().getValue()));
      }
    }
    store().deletePrefix(new byte[0]);
    size = 0;
    minTimestamp = Long.MAX_VALUE;
    return all;
  }

  /** The sequence number the next element gets: elements added from now on are at or after it. */
  long nextSequence() {
    return nextSequence;
  }

  /** Removes and returns the waiting elements added before sequence {@code end}, oldest first. */
  List<Pending> takeBefore(long end) {
    if (size == 0) {
      return List.of();
    }
    List<Pending> taken = new ArrayList<>();
    byte[] to = end == Long.MAX_VALUE ? null : ByteBuffer.allocate(8).putLong(end).array();
    try (SortedByteStore.Cursor cursor = store().range(new byte[0], to)) {
      while (cursor.hasNext()) {
        Map.Entry<byte[], byte[]> entry = cursor.next();
        taken.add(decode(entry.getValue()));
        store().delete(entry.getKey());
      }
    }
    size -= taken.size();
    minTimestamp = Long.MAX_VALUE;
    if (size > 0) {
      try (SortedByteStore.Cursor cursor = store().scan(new byte[0])) {
        while (cursor.hasNext()) {
          minTimestamp = Math.min(minTimestamp, decode(cursor.next().getValue()).element().getTimestamp().getMillis());
        }
      }
    }
    return taken;
  }

  /** Rebuilds what is derived from the store's contents (after a restore). */
  void restore() {
    size = 0;
    minTimestamp = Long.MAX_VALUE;
    nextSequence = 0;
    try (SortedByteStore.Cursor cursor = store().scan(new byte[0])) {
      while (cursor.hasNext()) {
        Map.Entry<byte[], byte[]> entry = cursor.next();
        nextSequence = ByteBuffer.wrap(entry.getKey()).getLong() + 1;
        size++;
        minTimestamp = Math.min(minTimestamp, decode(entry.getValue()).element().getTimestamp().getMillis());
      }
    }
  }

  private Pending decode(byte[] value) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      int keyLength = in.readInt();
      byte[] key = null;
      if (keyLength >= 0) {
        key = new byte[keyLength];
        in.readFully(key);
      }
      return new Pending(key, coder.decode(in));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read back a main-input element that waited for side inputs", e);
    }
  }
}

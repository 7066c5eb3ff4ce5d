package io.sluice.translation.state;

import io.sluice.execution.state.SortedByteStore;
import io.sluice.translation.records.CoderBytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.state.ReadableState;

/**
 * What every state type shares: the store and the cell prefix under which its entries live.
 *
 * <p>State objects keep nothing but that prefix, so any number of them may view one cell and each
 * sees the others' writes; everything read is decoded afresh, so callers may mutate what they get.
 */
abstract class StoreCell {

  protected final SortedByteStore store;
  protected final byte[] cell;

  StoreCell(SortedByteStore store, byte[] cell) {
    this.store = store;
    this.cell = cell;
  }

  /** The store key of this cell's sequence counter, for types that append. */
  protected final byte[] counterKey() {
    return StateKeys.concat(cell, StateKeys.COUNTER);
  }

  /**
   * Hands out increasing numbers that survive restarts, so appends can be written without reading
   * the entries already there; lives in the store because several state objects (and later
   * incarnations of this key's state) may append to one cell.
   */
  protected final long nextSequence() {
    byte[] key = counterKey();
    byte[] current = store.get(key);
    long next = current == null ? 0 : StateKeys.getLong(current, 0);
    store.put(key, StateKeys.longBytes(next + 1));
    return next;
  }

  /** Drops the counter once a cell has no entries left, so empty state leaves nothing behind. */
  protected final void dropCounterIfEmpty(byte[] entriesPrefix) {
    if (!hasEntries(entriesPrefix)) {
      store.delete(counterKey());
    }
  }

  protected final boolean hasEntries(byte[] prefix) {
    try (SortedByteStore.Cursor c = store.scan(prefix)) {
      return c.hasNext();
    }
  }

  /**
   * Reads every entry under {@code prefix} into a list. Cursors hold resources and may not see
   * later writes consistently, so results are materialized before anyone can write again; that is
   * also what gives reads their snapshot semantics.
   */
  protected final <T> List<T> collect(byte[] prefix, BiFunction<byte[], byte[], T> decode) {
    List<T> out = new ArrayList<>();
    try (SortedByteStore.Cursor c = store.scan(prefix)) {
      while (c.hasNext()) {
        Map.Entry<byte[], byte[]> e = c.next();
        out.add(decode.apply(e.getKey(), e.getValue()));
      }
    }
    return out;
  }

  /** Each subtask thread's encoding buffer: derived, for the thread's life. Cells are made per access, so the buffer cannot live in one. */
  private static final ThreadLocal<CoderBytes> ENCODER = ThreadLocal.withInitial(CoderBytes::new);

  protected static <T> byte[] encode(Coder<T> coder, T value) {
    try {
      return ENCODER.get().encode(coder, value);
    } catch (CoderException e) {
      throw new IllegalStateException("Cannot encode state with " + coder, e);
    }
  }

  protected static <T> T decode(Coder<T> coder, byte[] bytes) {
    try {
      return CoderBytes.decode(coder, bytes);
    } catch (CoderException e) {
      throw new IllegalStateException("Cannot decode state with " + coder, e);
    }
  }

  /** Decodes {@code bytes[from..]}: element encodings that end a store key. */
  protected static <T> T decodeSuffix(Coder<T> coder, byte[] bytes, int from) {
    return decode(coder, Arrays.copyOfRange(bytes, from, bytes.length));
  }

  /** A ReadableState evaluated when read, not when created, as Beam's deferred reads require. */
  protected static <T> ReadableState<T> deferred(Supplier<T> read) {
    return new ReadableState<T>() {
      @Override
      public T read() {
        return read.get();
      }

      @Override
      public ReadableState<T> readLater() {
        return this;
      }
    };
  }
}

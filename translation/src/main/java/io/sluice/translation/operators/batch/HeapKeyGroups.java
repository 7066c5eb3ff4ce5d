package io.sluice.translation.operators.batch;

import io.sluice.execution.state.ByteKey;
import io.sluice.execution.state.VarInts;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Keyed values on the heap, appended in arrival order to pages and grouped by key only once the
 * input has ended, by sorting an index of key hashes. A hash map of per-key runs touched a random
 * key's memory for every record, several dependent cache misses each: half of a batch GroupByKey's
 * time (async-profiler, 100k keys). Appending touches only the page's end; the sort reads the index
 * in order.
 *
 * <p>A record is {@code varint keyLength, key, varint valueLength, value}; the index holds {@code
 * hash << 32 | page << 20 | offset}, so that sorting it orders records by hash and, within a hash,
 * by arrival.
 */
final class HeapKeyGroups {

  /** Receives one record's key and value, valid until it returns. */
  interface RecordConsumer {
    void accept(byte[] key, byte[] bytes, int offset, int length) throws IOException;
  }

  private static final int OFFSET_BITS = 20;
  /** A page's size once the input has grown: what an offset can address. */
  static final int PAGE_BYTES = 1 << OFFSET_BITS;
  private static final int FIRST_PAGE_BYTES = 4096;
  private static final int MAX_PAGES = 1 << (32 - OFFSET_BITS);

  private final ToIntFunction<byte[]> hash;
  /** The records, in arrival order: derived, batch input (a batch job reruns), until {@link #clear}. */
  private final List<byte[]> pages = new ArrayList<>();
  /** The last page's used bytes: derived, as {@link #pages}. */
  private int pageEnd;
  /** One entry per record, see the class comment: derived, as {@link #pages}. */
  private long[] index = new long[64];
  /** Records held: derived, as {@link #pages}. */
  private int records;
  /** Heap bytes of the pages and the index: derived, as {@link #pages}. */
  private long heapBytes;

  HeapKeyGroups() {
    this(ByteKey::hashOf);
  }

  /** With a hash of one's choosing: tests use a poor one to make keys collide. */
  HeapKeyGroups(ToIntFunction<byte[]> hash) {
    this.hash = hash;
  }

  /** Heap bytes held. */
  long heapBytes() {
    return heapBytes;
  }

  /**
   * Appends one record; false, with nothing appended, when the pages can address no more (the
   * caller then moves its input elsewhere).
   */
  boolean add(byte[] key, byte[] bytes, int offset, int length) {
    int size = VarInts.size(key.length) + key.length + VarInts.size(length) + length;
    byte[] page = pages.isEmpty() ? null : pages.get(pages.size() - 1);
    if (page == null || pageEnd + size > page.length) {
      if (pages.size() == MAX_PAGES) {
        return false;
      }
      int capacity = page == null ? FIRST_PAGE_BYTES : Math.min(PAGE_BYTES, page.length * 2);
      // A record larger than a page has a page of its own, addressed at offset 0.
      page = new byte[Math.max(capacity, size)];
      pages.add(page);
      pageEnd = 0;
      heapBytes += page.length;
    }
    if (records == index.length) {
      heapBytes += 8L * index.length;
      index = Arrays.copyOf(index, index.length * 2);
    }
    index[records++] = ((long) hash.applyAsInt(key) << 32) | ((long) (pages.size() - 1) << OFFSET_BITS) | pageEnd;
    int p = VarInts.write(page, pageEnd, key.length);
    System.arraycopy(key, 0, page, p, key.length);
    p = VarInts.write(page, p + key.length, length);
    System.arraycopy(bytes, offset, page, p, length);
    pageEnd = p + length;
    return true;
  }

  /** Every record, in arrival order. */
  void forEachRecord(RecordConsumer consumer) throws IOException {
    Record r = new Record();
    for (int i = 0; i < records; i++) {
      r.read(position(index[i]));
      consumer.accept(r.key(), r.page, r.valueOffset, r.valueLength);
    }
  }

  /** Every key's values, in arrival order within a key; the keys in no particular order. */
  void forEachGroup(EncodedValues.GroupConsumer consumer) throws Exception {
    long[] sorted = index;
    int n = records;
    // Arrival order lives in the low bits, so the sort keeps it within a hash.
    Arrays.sort(sorted, 0, n);
    Record first = new Record();
    Record other = new Record();
    int from = 0;
    while (from < n) {
      int hashOfRun = (int) (sorted[from] >>> 32);
      int to = from + 1;
      while (to < n && (int) (sorted[to] >>> 32) == hashOfRun) {
        to++;
      }
      first.read(position(sorted[from]));
      boolean oneKey = true;
      for (int i = from + 1; i < to && oneKey; i++) {
        other.read(position(sorted[i]));
        oneKey = first.sameKey(other);
      }
      if (oneKey) {
        consumer.accept(first.key(), new Group(sorted, from, to, null));
      } else {
        emitColliding(sorted, from, to, consumer);
      }
      from = to;
    }
  }

  /** Records of distinct keys with one hash: one group per key, keys in order of first arrival. */
  private void emitColliding(long[] sorted, int from, int to, EncodedValues.GroupConsumer consumer) throws Exception {
    List<byte[]> keys = new ArrayList<>();
    Record r = new Record();
    for (int i = from; i < to; i++) {
      r.read(position(sorted[i]));
      byte[] key = r.key();
      if (keys.stream().noneMatch(k -> Arrays.equals(k, key))) {
        keys.add(key);
      }
    }
    for (byte[] key : keys) {
      consumer.accept(key, new Group(sorted, from, to, key));
    }
  }

  void clear() {
    pages.clear();
    pageEnd = 0;
    index = new long[64];
    records = 0;
    heapBytes = 0;
  }

  private static int position(long entry) {
    return (int) entry;
  }

  /** One record, parsed where it lies: derived, reused from record to record. */
  private final class Record {
    private byte[] page;
    private int keyOffset;
    private int keyLength;
    private int valueOffset;
    private int valueLength;

    void read(int position) {
      page = pages.get(position >>> OFFSET_BITS);
      int p = position & (PAGE_BYTES - 1);
      long read = VarInts.read(page, p);
      keyOffset = p + VarInts.length(read);
      keyLength = VarInts.value(read);
      p = keyOffset + keyLength;
      read = VarInts.read(page, p);
      valueOffset = p + VarInts.length(read);
      valueLength = VarInts.value(read);
    }

    byte[] key() {
      return Arrays.copyOfRange(page, keyOffset, keyOffset + keyLength);
    }

    boolean sameKey(Record o) {
      return Arrays.equals(page, keyOffset, keyOffset + keyLength, o.page, o.keyOffset, o.keyOffset + o.keyLength);
    }

    boolean hasKey(byte[] key) {
      return Arrays.equals(page, keyOffset, keyOffset + keyLength, key, 0, key.length);
    }
  }

  /** The values of one key: a range of the sorted index, filtered by key when hashes collide. */
  private final class Group implements EncodedValues {
    private final long[] sorted;
    private final int from;
    private final int to;
    /** The key to keep, or null when every record of the range has it. */
    private final byte[] onlyKey;

    Group(long[] sorted, int from, int to, byte[] onlyKey) {
      this.sorted = sorted;
      this.from = from;
      this.to = to;
      this.onlyKey = onlyKey;
    }

    @Override
    public boolean onDisk() {
      return false;
    }

    @Override
    public Cursor cursor() {
      return new Cursor() {
        /** The next index entry to read: derived, per pass. */
        private int next = from;
        private final Record current = new Record();

        @Override
        public boolean next() {
          while (next < to) {
            current.read(position(sorted[next++]));
            if (onlyKey == null || current.hasKey(onlyKey)) {
              return true;
            }
          }
          return false;
        }

        @Override
        public byte[] bytes() {
          return current.page;
        }

        @Override
        public int offset() {
          return current.valueOffset;
        }

        @Override
        public int length() {
          return current.valueLength;
        }

        @Override
        public void close() {}
      };
    }
  }
}

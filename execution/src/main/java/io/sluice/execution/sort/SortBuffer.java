package io.sluice.execution.sort;

import java.util.Arrays;

/**
 * The in-memory part of the sort: records in arrival order, the byte accounting that decides when
 * to spill, and a stable sort over them.
 *
 * <p>Keys and values live in two parallel arrays and the sort permutes an {@code int[]} of
 * indices, so buffering a record allocates nothing beyond the caller's own arrays, and the arrays
 * are reused from one run to the next.
 */
final class SortBuffer {

  /**
   * Charged per record on top of its key and value bytes: two array headers (~16 bytes each on a
   * 64-bit JVM) plus this buffer's slots and sort indices. Approximate by design; it only has to
   * keep millions of tiny records from hiding behind a small payload.
   */
  static final int RECORD_OVERHEAD_BYTES = 48;

  private static final int INITIAL_CAPACITY = 64;
  private static final int MAX_CAPACITY = Integer.MAX_VALUE - 16;
  /** Below this length insertion sort beats merging; the JDK's legacy merge sort used it too. */
  private static final int INSERTION_SORT_THRESHOLD = 7;

  private byte[][] keys = new byte[INITIAL_CAPACITY][];
  private byte[][] values = new byte[INITIAL_CAPACITY][];
  /** The first 8 key bytes as an unsigned big-endian number: most comparisons end there. */
  private long[] prefixes = new long[INITIAL_CAPACITY];
  private int[] order = new int[0];
  private int[] scratch = new int[0];
  private int size;
  private long accountedBytes;
  private long recordBytes;
  private boolean sorted;

  void add(byte[] key, byte[] value) {
    if (size == keys.length) {
      grow();
    }
    keys[size] = key;
    values[size] = value;
    prefixes[size] = prefix(key);
    size++;
    accountedBytes += (long) key.length + value.length + RECORD_OVERHEAD_BYTES;
    recordBytes += RunFormat.recordBytes(key.length, value.length);
    sorted = false;
  }

  private void grow() {
    if (keys.length >= MAX_CAPACITY) {
      // The owner spills when isFull(), so this would be a bug in the owner, not a user error.
      throw new IllegalStateException("sort buffer cannot hold more than " + MAX_CAPACITY);
    }
    int capacity = (int) Math.min(MAX_CAPACITY, keys.length + (keys.length >> 1) + 1L);
    keys = Arrays.copyOf(keys, capacity);
    values = Arrays.copyOf(values, capacity);
    prefixes = Arrays.copyOf(prefixes, capacity);
  }

  /** Zero-padded, so equal prefixes still need the full comparison (a key and its extension by 0s). */
  private static long prefix(byte[] key) {
    long p = 0;
    int n = Math.min(8, key.length);
    for (int i = 0; i < n; i++) {
      p |= (key[i] & 0xffL) << (56 - 8 * i);
    }
    return p;
  }

  /** The index arrays cannot grow further, so the buffer must be spilled whatever the budget. */
  boolean isFull() {
    return size >= MAX_CAPACITY;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  /** What the buffer is charged against the memory budget. */
  long accountedBytes() {
    return accountedBytes;
  }

  /** Size of the run file the current contents would make. */
  long runFileBytes() {
    return RunFormat.runBytes(recordBytes);
  }

  /** Stable: records with equal keys keep their arrival order. */
  void sort() {
    if (sorted) {
      return;
    }
    if (order.length < size) {
      // Sized to the largest run seen so far rather than to the current one, so that steady
      // spilling reuses the same arrays.
      order = new int[keys.length];
      scratch = new int[keys.length];
    }
    for (int i = 0; i < size; i++) {
      order[i] = i;
      scratch[i] = i;
    }
    mergeSort(scratch, order, 0, size);
    sorted = true;
  }

  /**
   * Sorts {@code dst[lo, hi)}, using {@code src}, which holds the same indices, as workspace. The
   * roles swap at each level so that every merge writes into the array the caller reads from.
   */
  private void mergeSort(int[] src, int[] dst, int lo, int hi) {
    int length = hi - lo;
    if (length < INSERTION_SORT_THRESHOLD) {
      for (int i = lo + 1; i < hi; i++) {
        int current = dst[i];
        int j = i - 1;
        // Strictly greater: an equal key never moves ahead of an earlier one.
        while (j >= lo && compare(dst[j], current) > 0) {
          dst[j + 1] = dst[j];
          j--;
        }
        dst[j + 1] = current;
      }
      return;
    }
    int mid = (lo + hi) >>> 1;
    mergeSort(dst, src, lo, mid);
    mergeSort(dst, src, mid, hi);
    // Input that arrives already ordered (common for grouped upstream data) costs one compare.
    if (compare(src[mid - 1], src[mid]) <= 0) {
      System.arraycopy(src, lo, dst, lo, length);
      return;
    }
    for (int i = lo, left = lo, right = mid; i < hi; i++) {
      // Ties go to the left half, which holds the earlier records: that is the stability.
      if (right >= hi || (left < mid && compare(src[left], src[right]) <= 0)) {
        dst[i] = src[left++];
      } else {
        dst[i] = src[right++];
      }
    }
  }

  private int compare(int a, int b) {
    int byPrefix = Long.compareUnsigned(prefixes[a], prefixes[b]);
    if (byPrefix != 0) {
      return byPrefix;
    }
    byte[] ka = keys[a];
    byte[] kb = keys[b];
    // Keys of at most 8 bytes are all in the prefix: equal prefixes leave only the zero padding,
    // and the shorter key sorts first.
    if (ka.length <= 8 && kb.length <= 8) {
      return Integer.compare(ka.length, kb.length);
    }
    return Arrays.compareUnsigned(ka, kb);
  }

  /**
   * Streams the sorted contents. Each slot is cleared as the cursor passes it, so a remainder
   * being merged gives its memory back as it goes; the buffer must be {@link #clear() cleared}
   * before new records are added.
   */
  SortedRecordSource sortedRecords() {
    if (!sorted) {
      throw new IllegalStateException("sort() first");
    }
    return new Cursor();
  }

  /** Drops every record but keeps the arrays for the next run. */
  void clear() {
    Arrays.fill(keys, 0, size, null);
    Arrays.fill(values, 0, size, null);
    size = 0;
    accountedBytes = 0;
    recordBytes = 0;
    sorted = false;
  }

  /** Drops the arrays too; for when the sorter is done for good. */
  void release() {
    clear();
    keys = new byte[0][];
    values = new byte[0][];
    prefixes = new long[0];
    order = new int[0];
    scratch = new int[0];
  }

  private final class Cursor implements SortedRecordSource {
    private final int end = size;
    private int position = -1;
    private byte[] key;
    private byte[] value;
    private boolean closed;

    @Override
    public boolean advance() {
      if (closed || position >= end) {
        return false;
      }
      position++;
      if (position == end) {
        key = null;
        value = null;
        return false;
      }
      int slot = order[position];
      key = keys[slot];
      value = values[slot];
      keys[slot] = null;
      values[slot] = null;
      return true;
    }

    @Override
    public byte[] key() {
      return key;
    }

    @Override
    public byte[] value() {
      return value;
    }

    @Override
    public void close() {
      closed = true;
      key = null;
      value = null;
    }
  }
}

package io.sluice.execution.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The store contract through the cache, and what the cache must write behind and when. */
class WriteBackStoreTest extends SortedByteStoreContract {

  /** A heap store that counts the writes reaching it. */
  private static final class CountingStore implements SortedByteStore {
    private final HeapByteStore heap = new HeapByteStore();
    int writes;

    @Override
    public byte[] get(byte[] key) {
      return heap.get(key);
    }

    @Override
    public void put(byte[] key, byte[] value) {
      writes++;
      heap.put(key, value);
    }

    @Override
    public void delete(byte[] key) {
      writes++;
      heap.delete(key);
    }

    @Override
    public Cursor scan(byte[] prefix) {
      return heap.scan(prefix);
    }

    @Override
    public Cursor range(byte[] from, byte[] to) {
      return heap.range(from, to);
    }

    @Override
    public void deletePrefix(byte[] prefix) {
      heap.deletePrefix(prefix);
    }
  }

  private final CountingStore behind = new CountingStore();
  private final WriteBackStore store = new WriteBackStore(behind, new WriteBackStore.Budget(1 << 20));

  @Override
  protected SortedByteStore store() {
    return store;
  }

  @Test
  void writesReachTheStoreBehindOnlyWhenFlushed() {
    store.put(bytes(1), bytes(1));
    store.put(bytes(1), bytes(2));
    store.put(bytes(2), bytes(2));
    assertNull(behind.get(bytes(1)));
    store.flush();
    assertArrayEquals(bytes(2), behind.get(bytes(1)));
    assertArrayEquals(bytes(2), behind.get(bytes(2)));
    assertEquals(2, behind.writes, "two keys, each written once however often it changed");
    store.flush();
    assertEquals(2, behind.writes, "nothing changed since");
  }

  @Test
  void stateReadAbsentWrittenAndClearedBeforeAFlushWritesNothing() {
    assertNull(store.get(bytes(7)));
    store.put(bytes(7), bytes(1));
    store.delete(bytes(7));
    store.flush();
    assertEquals(0, behind.writes);
  }

  /** A bag's appends are written blind; cleared before a flush, they must leave no tombstones. */
  @Test
  void keysWrittenBlindAndDeletedBeforeAFlushLeaveNothing() {
    for (int i = 0; i < 100; i++) {
      store.put(bytes(9, i), bytes(i));
    }
    store.deletePrefix(bytes(9));
    store.flush();
    assertEquals(0, behind.writes);
    assertEquals(List.of(), drain(store.scan(bytes(9))));
  }

  @Test
  void aDeleteOfAFlushedKeyReachesTheStoreBehind() {
    store.put(bytes(7), bytes(1));
    store.flush();
    store.delete(bytes(7));
    assertArrayEquals(bytes(1), behind.get(bytes(7)));
    assertNull(store.get(bytes(7)));
    store.flush();
    assertNull(behind.get(bytes(7)));
  }

  @Test
  void cursorsMergeTheCacheOverTheStoreBehind() {
    behind.put(bytes(1), bytes(1));
    behind.put(bytes(3), bytes(3));
    behind.put(bytes(5), bytes(5));
    store.put(bytes(2), bytes(2));
    store.delete(bytes(3));
    store.put(bytes(5), bytes(6));
    assertEquals(List.of("01=01", "02=02", "05=06"), drain(store.scan(bytes())));
    store.deletePrefix(bytes());
    assertEquals(List.of(), drain(store.scan(bytes())));
    store.flush();
    assertEquals(List.of(), drain(behind.scan(bytes())));
  }

  /**
   * Random operations against a plain map, with a budget small enough that the cache is evicted
   * again and again, and flushes in between: every read must agree with the map, and after a last
   * flush so must the store behind.
   */
  @Test
  void agreesWithAPlainMapThroughEvictionsAndFlushes() {
    CountingStore under = new CountingStore();
    WriteBackStore cache = new WriteBackStore(under, new WriteBackStore.Budget(4_000));
    TreeMap<String, String> model = new TreeMap<>();
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      byte[] key = bytes(random.nextInt(4), random.nextInt(50));
      int op = random.nextInt(10);
      if (op < 4) {
        byte[] value = bytes(random.nextInt(256));
        cache.put(key, value);
        model.put(hex(key), hex(value));
      } else if (op < 6) {
        cache.delete(key);
        model.remove(hex(key));
      } else if (op < 8) {
        byte[] got = cache.get(key);
        assertEquals(model.get(hex(key)), got == null ? null : hex(got), "get " + hex(key) + " at " + i);
      } else if (op < 9) {
        byte[] prefix = bytes(key[0]);
        List<String> expected = new ArrayList<>();
        model.subMap(hex(prefix), hex(bytes(key[0] + 1))).forEach((k, v) -> expected.add(k + "=" + v));
        assertEquals(expected, drain(cache.scan(prefix)), "scan at " + i);
      } else {
        cache.flush();
      }
    }
    cache.flush();
    List<String> expected = new ArrayList<>();
    model.forEach((k, v) -> expected.add(k + "=" + v));
    assertEquals(expected, drain(under.scan(bytes())));
  }
}

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
    int reads;

    @Override
    public byte[] get(byte[] key) {
      reads++;
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

  /**
   * A snapshot takes the changes made since the last one as a copy and writes the older ones
   * behind: state that went quiet is written once, state that keeps changing or goes soon never.
   */
  @Test
  void aSnapshotWritesBehindOnlyWhatHasNotChangedSinceTheLastOne() {
    store.put(bytes(1), bytes(1));
    store.put(bytes(2), bytes(2));
    assertEquals(List.of("01=01", "02=02"), changes(store.settleForSnapshot()));
    assertEquals(0, behind.writes, "both changed since the last snapshot");

    store.put(bytes(1), bytes(3));
    store.put(bytes(3), bytes(3));
    List<String> second = changes(store.settleForSnapshot());
    store.put(bytes(1), bytes(4));
    assertEquals(List.of("01=03", "03=03"), second, "a copy: a later write does not change it");
    assertArrayEquals(bytes(2), behind.get(bytes(2)), "2 went quiet: written behind");
    assertEquals(1, behind.writes);

    store.delete(bytes(1));
    store.delete(bytes(2));
    assertEquals(List.of("02=null"), changes(store.settleForSnapshot()),
        "a delete of what the store behind holds is a change; 1 was never there, so it is no change");
    assertEquals(List.of(), changes(store.settleForSnapshot()), "the delete of 2 and 3 go behind now");
    assertNull(behind.get(bytes(2)));
    assertArrayEquals(bytes(3), behind.get(bytes(3)));
    assertEquals(List.of("03=03"), drain(store.scan(bytes())));
  }

  private static List<String> changes(List<java.util.Map.Entry<byte[], byte[]>> changes) {
    List<String> out = new ArrayList<>();
    for (java.util.Map.Entry<byte[], byte[]> c : changes) {
      out.add(hex(c.getKey()) + "=" + (c.getValue() == null ? "null" : hex(c.getValue())));
    }
    return out;
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

  @Test
  void deletingWhatAScanReturnedFromBehindReadsNothingBehind() {
    behind.put(bytes(1, 1), bytes(10));
    behind.put(bytes(1, 2), bytes(20));
    List<byte[]> seen = new ArrayList<>();
    try (SortedByteStore.Cursor cursor = store.scan(bytes(1))) {
      cursor.forEachRemaining(e -> seen.add(e.getKey()));
    }
    seen.forEach(store::deleteSeen);
    assertEquals(0, behind.reads);
    assertEquals(List.of(), drain(store.scan(bytes(1))));
    assertNull(store.get(bytes(1, 1)));
    store.flush();
    assertEquals(List.of(), drain(behind.scan(bytes(1))));
  }

  /**
   * Random operations against a plain map, with budgets small enough that the cache is evicted
   * again and again, and flushes and snapshots in between: every read must agree with the map, so
   * must what a snapshot holds (the store behind with the recent changes over it), and after a last
   * flush so must the store behind. Seed 22 once caught a snapshot that forgot a cached write. Some
   * scans are followed by deletes of what they returned, made without reading the store behind.
   */
  @Test
  void agreesWithAPlainMapThroughEvictionsFlushesAndSnapshots() {
    for (int seed = 0; seed < 40; seed++) {
      agrees(seed, 1000 + seed * 50);
    }
  }

  private void agrees(int seed, int budget) {
    CountingStore under = new CountingStore();
    WriteBackStore cache = new WriteBackStore(under, new WriteBackStore.Budget(budget));
    TreeMap<String, String> model = new TreeMap<>();
    Random random = new Random(seed);
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
        assertEquals(model.get(hex(key)), got == null ? null : hex(got), "seed " + seed + " get " + hex(key) + " at " + i);
      } else if (op < 9) {
        byte[] prefix = bytes(key[0]);
        List<String> expected = new ArrayList<>();
        model.subMap(hex(prefix), hex(bytes(key[0] + 1))).forEach((k, v) -> expected.add(k + "=" + v));
        assertEquals(expected, drain(cache.scan(prefix)), "scan at " + i);
        if (random.nextInt(4) == 0) {
          // As a window firing does: what a scan returned is deleted without a read behind.
          List<byte[]> seen = new ArrayList<>();
          try (SortedByteStore.Cursor cursor = cache.scan(prefix)) {
            cursor.forEachRemaining(e -> seen.add(e.getKey()));
          }
          for (byte[] k : seen) {
            cache.deleteSeen(k);
            model.remove(hex(k));
          }
        }
      } else if (random.nextBoolean()) {
        cache.flush();
      } else {
        // What a snapshot holds, the store behind with the recent changes over it, is the map.
        TreeMap<String, String> snapshot = new TreeMap<>();
        List<java.util.Map.Entry<byte[], byte[]>> recent = cache.settleForSnapshot();
        try (SortedByteStore.Cursor cursor = under.scan(bytes())) {
          cursor.forEachRemaining(e -> snapshot.put(hex(e.getKey()), hex(e.getValue())));
        }
        for (java.util.Map.Entry<byte[], byte[]> change : recent) {
          if (change.getValue() == null) {
            snapshot.remove(hex(change.getKey()));
          } else {
            snapshot.put(hex(change.getKey()), hex(change.getValue()));
          }
        }
        assertEquals(model, snapshot, "snapshot at " + i);
      }
    }
    cache.flush();
    List<String> expected = new ArrayList<>();
    model.forEach((k, v) -> expected.add(k + "=" + v));
    assertEquals(expected, drain(under.scan(bytes())));
  }
}

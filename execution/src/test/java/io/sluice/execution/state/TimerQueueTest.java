package io.sluice.execution.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.state.TimerQueue.Timer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each test runs over a heap store and over a RocksDB column family. */
class TimerQueueTest {

  private static final long NONE = TimerQueue.NO_HOLD;

  @TempDir Path temp;
  private RocksDbBackend backend;

  private TimerQueue queue(String kind) {
    if (kind.equals("heap")) {
      return new TimerQueue(new HeapByteStore(), new KeyGroups(KeyGroups.DEFAULT_MAX_PARALLELISM));
    }
    backend = RocksDbBackend.open(temp.resolve("rocks"), 0);
    return new TimerQueue(backend.store("timers"), new KeyGroups(KeyGroups.DEFAULT_MAX_PARALLELISM));
  }

  @AfterEach
  void close() {
    if (backend != null) {
      backend.close();
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String s(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"heap", "rocksdb"})
  void pollReturnsAndRemovesTheTimer(String kind) {
    TimerQueue q = queue(kind);
    assertTrue(q.isEmpty());
    q.set(b("key"), b("name"), 3, 100, 90, b("payload"));
    assertFalse(q.isEmpty());
    assertNull(q.pollDue(3, 99));
    assertNull(q.pollDue(4, 1000));
    Timer t = q.pollDue(3, 100);
    assertNotNull(t);
    assertEquals("key", s(t.key()));
    assertEquals("name", s(t.name()));
    assertEquals(3, t.domain());
    assertEquals(100, t.timestamp());
    assertEquals(90, t.hold());
    assertEquals("payload", s(t.payload()));
    assertNull(q.pollDue(3, Long.MAX_VALUE));
    assertTrue(q.isEmpty());
    assertEquals(NONE, q.minHold());
    assertEquals(Long.MAX_VALUE, q.earliest(3));
    assertFalse(q.delete(b("key"), b("name")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"heap", "rocksdb"})
  void setReplacesTheTimerOfTheSameKeyAndNameInAnyDomain(String kind) {
    TimerQueue q = queue(kind);
    q.set(b("k"), b("n"), 0, 50, 40, b("first"));
    q.set(b("k"), b("other"), 0, 70, 70, b("other"));
    q.set(b("k"), b("n"), 1, 60, 55, b("second"));
    assertEquals(70, q.earliest(0));
    assertEquals(60, q.earliest(1));
    assertEquals(55, q.minHold());

    Timer t = q.pollDue(1, 1000);
    assertEquals("second", s(t.payload()));
    assertEquals(60, t.timestamp());
    assertNull(q.pollDue(1, 1000));
    assertEquals(70, q.minHold());
    assertEquals("other", s(q.pollDue(0, 1000).payload()));
    assertNull(q.pollDue(0, Long.MAX_VALUE));
    assertTrue(q.isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"heap", "rocksdb"})
  void deleteRemovesOnlyThatTimer(String kind) {
    TimerQueue q = queue(kind);
    q.set(b("a"), b("t"), 0, 10, 10, b(""));
    q.set(b("b"), b("t"), 0, 20, 20, b(""));
    assertTrue(q.delete(b("a"), b("t")));
    assertFalse(q.delete(b("a"), b("t")));
    assertFalse(q.delete(b("b"), b("u")));
    assertEquals(20, q.earliest(0));
    assertEquals(20, q.minHold());
    Timer t = q.pollDue(0, 100);
    assertEquals("b", s(t.key()));
    assertNull(q.pollDue(0, 100));
  }

  @ParameterizedTest
  @ValueSource(strings = {"heap", "rocksdb"})
  void keyAndNameBoundariesAreUnambiguous(String kind) {
    TimerQueue q = queue(kind);
    q.set(b("ab"), b("c"), 0, 1, NONE, b("1"));
    q.set(b("a"), b("bc"), 0, 2, NONE, b("2"));
    q.set(b(""), b("abc"), 0, 3, NONE, b("3"));
    q.set(b("abc"), b(""), 0, 4, NONE, b("4"));
    assertTrue(q.delete(b("a"), b("bc")));
    assertFalse(q.delete(b("a"), b("bc")));
    List<String> fired = new ArrayList<>();
    for (Timer t; (t = q.pollDue(0, 10)) != null; ) {
      fired.add(s(t.key()) + "|" + s(t.name()) + "|" + s(t.payload()));
    }
    assertEquals(List.of("ab|c|1", "|abc|3", "abc||4"), fired);
  }

  @ParameterizedTest
  @ValueSource(strings = {"heap", "rocksdb"})
  void pollsInTimestampOrderAcrossKeysWithinOneDomain(String kind) {
    TimerQueue q = queue(kind);
    Random random = new Random(7);
    Map<Integer, List<Long>> expected = new HashMap<>();
    for (int k = 0; k < 60; k++) {
      for (int n = 0; n < 3; n++) {
        int domain = random.nextInt(3);
        long timestamp = random.nextInt(2000) - 1000;
        q.set(b("key" + k), b("n" + n), domain, timestamp, NONE, b(k + "/" + n));
        expected.computeIfAbsent(domain, d -> new ArrayList<>()).add(timestamp);
      }
    }
    for (int domain = 0; domain < 3; domain++) {
      List<Long> timestamps = expected.get(domain);
      timestamps.sort(null);
      List<Long> fired = new ArrayList<>();
      for (Timer t; (t = q.pollDue(domain, 250)) != null; ) {
        assertEquals(domain, t.domain());
        fired.add(t.timestamp());
      }
      assertEquals(timestamps.stream().filter(ts -> ts <= 250).toList(), fired);
      List<Long> later = timestamps.stream().filter(ts -> ts > 250).toList();
      assertEquals(later.isEmpty() ? Long.MAX_VALUE : later.get(0), q.earliest(domain));
    }
    for (int domain = 0; domain < 3; domain++) {
      while (q.pollDue(domain, Long.MAX_VALUE) != null) {}
    }
    assertTrue(q.isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"heap", "rocksdb"})
  void negativeAndExtremeTimestampsOrderNumerically(String kind) {
    TimerQueue q = queue(kind);
    long[] timestamps = {Long.MAX_VALUE, -1, 0, Long.MIN_VALUE, 5, -100, 1L << 40, Long.MIN_VALUE + 1};
    for (int i = 0; i < timestamps.length; i++) {
      q.set(b("k"), b("t" + i), 255, timestamps[i], NONE, b(""));
    }
    assertEquals(Long.MIN_VALUE, q.earliest(255));
    assertEquals(Long.MAX_VALUE, q.earliest(0));
    assertNull(q.pollDue(0, Long.MAX_VALUE));
    assertEquals(Long.MIN_VALUE, q.pollDue(255, Long.MIN_VALUE).timestamp());
    assertNull(q.pollDue(255, Long.MIN_VALUE));
    List<Long> fired = new ArrayList<>();
    for (Timer t; (t = q.pollDue(255, Long.MAX_VALUE)) != null; ) {
      fired.add(t.timestamp());
    }
    assertEquals(List.of(Long.MIN_VALUE + 1, -100L, -1L, 0L, 5L, 1L << 40, Long.MAX_VALUE), fired);
  }

  @ParameterizedTest
  @ValueSource(strings = {"heap", "rocksdb"})
  void minHoldFollowsSetReplaceDeleteAndPoll(String kind) {
    TimerQueue q = queue(kind);
    assertEquals(NONE, q.minHold());
    q.set(b("a"), b("t"), 0, 100, 100, b(""));
    q.set(b("b"), b("t"), 1, 100, -5, b(""));
    q.set(b("c"), b("t"), 0, 1, NONE, b(""));
    assertEquals(-5, q.minHold());
    q.set(b("b"), b("t"), 1, 100, 200, b("")); // replace: the old hold goes
    assertEquals(100, q.minHold());
    q.set(b("d"), b("t"), 2, 7, Long.MIN_VALUE, b(""));
    assertEquals(Long.MIN_VALUE, q.minHold());
    assertTrue(q.delete(b("d"), b("t")));
    assertEquals(100, q.minHold());
    assertEquals("c", s(q.pollDue(0, 50).key())); // holds nothing
    assertEquals(100, q.minHold());
    assertEquals("a", s(q.pollDue(0, 100).key()));
    assertEquals(200, q.minHold());
    q.set(b("b"), b("t"), 1, 100, NONE, b("")); // replaced by one without a hold
    assertEquals(NONE, q.minHold());
    assertFalse(q.isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"heap", "rocksdb"})
  void equalTimestampsFireInADeterministicOrderAndBinaryPayloadsSurvive(String kind) {
    TimerQueue q = queue(kind);
    byte[] payload = {0, (byte) 0xff, 0x7f, (byte) 0x80};
    for (int k = 0; k < 20; k++) {
      q.set(new byte[] {(byte) k, (byte) 0xff}, new byte[] {(byte) 0xff}, 9, 42, NONE, payload);
    }
    List<Integer> groups = new ArrayList<>();
    for (Timer t; (t = q.pollDue(9, 42)) != null; ) {
      assertArrayEquals(payload, t.payload());
      assertArrayEquals(new byte[] {(byte) 0xff}, t.name());
      assertEquals(2, t.key().length);
      groups.add(new KeyGroups(KeyGroups.DEFAULT_MAX_PARALLELISM).of(t.key()));
    }
    assertEquals(20, groups.size());
    List<Integer> sorted = new ArrayList<>(groups);
    sorted.sort(null);
    assertEquals(sorted, groups, "ties broken by key group first");
  }

  @ParameterizedTest
  @ValueSource(strings = {"heap", "rocksdb"})
  void rejectsDomainsOutsideOneByte(String kind) {
    TimerQueue q = queue(kind);
    assertThrows(IllegalArgumentException.class, () -> q.set(b("k"), b("n"), 256, 0, NONE, b("")));
    assertThrows(IllegalArgumentException.class, () -> q.set(b("k"), b("n"), -1, 0, NONE, b("")));
    assertThrows(IllegalArgumentException.class, () -> q.pollDue(256, 0));
    assertTrue(q.isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"heap", "rocksdb"})
  void isSetAsAnswersFromWhatWasSetAndStillStands(String kind) {
    TimerQueue q = queue(kind);
    assertFalse(q.isSetAs(b("k"), b("n"), 0, 100, 90));
    q.set(b("k"), b("n"), 0, 100, 90, b("p"));
    assertTrue(q.isSetAs(b("k"), b("n"), 0, 100, 90));
    assertFalse(q.isSetAs(b("k"), b("n"), 1, 100, 90), "another domain");
    assertFalse(q.isSetAs(b("k"), b("n"), 0, 101, 90), "another time");
    assertFalse(q.isSetAs(b("k"), b("n"), 0, 100, NONE), "another hold");
    assertFalse(q.isSetAs(b("k"), b("m"), 0, 100, 90), "another name");
    assertFalse(q.isSetAs(b("j"), b("n"), 0, 100, 90), "another key");
    q.set(b("k"), b("n"), 0, 200, 90, b("p"));
    assertFalse(q.isSetAs(b("k"), b("n"), 0, 100, 90), "replaced");
    assertTrue(q.isSetAs(b("k"), b("n"), 0, 200, 90));
    assertNotNull(q.pollDue(0, 200));
    assertFalse(q.isSetAs(b("k"), b("n"), 0, 200, 90), "fired");
    q.set(b("k"), b("n"), 0, 300, 90, b("p"));
    assertTrue(q.delete(b("k"), b("n")));
    assertFalse(q.isSetAs(b("k"), b("n"), 0, 300, 90), "deleted");
  }

  /**
   * Thousands of timers (more than the queue reads ahead of a space at once) set, replaced, deleted
   * and polled at random, checked after every step against a plain map; at the end a second queue
   * over the same store, which read nothing ahead, finds what the model has left.
   */
  @ParameterizedTest
  @ValueSource(strings = {"heap", "rocksdb"})
  void matchesAModelThroughRandomSetsDeletesAndPolls(String kind) {
    SortedByteStore store = kind.equals("heap") ? new HeapByteStore()
        : (backend = RocksDbBackend.open(temp.resolve("rocks"), 0)).store("timers");
    KeyGroups groups = new KeyGroups(KeyGroups.DEFAULT_MAX_PARALLELISM);
    TimerQueue q = new TimerQueue(store, groups);
    Map<String, long[]> model = new HashMap<>();
    Random random = new Random(11);
    for (int step = 0; step < 20_000; step++) {
      String key = "k" + random.nextInt(400);
      String name = "n" + random.nextInt(4);
      int op = random.nextInt(100);
      if (op < 60) {
        int domain = random.nextInt(2);
        long timestamp = random.nextInt(20_000);
        long hold = random.nextBoolean() ? NONE : timestamp - random.nextInt(100);
        q.set(b(key), b(name), domain, timestamp, hold, b(key + "/" + name + "@" + timestamp));
        model.put(key + "|" + name, new long[] {domain, timestamp, hold});
      } else if (op < 75) {
        assertEquals(model.remove(key + "|" + name) != null, q.delete(b(key), b(name)));
      } else {
        pollAndCheck(q, model, random.nextInt(2), random.nextInt(20_000));
      }
      assertEquals(earliest(model, 0), q.earliest(0));
      assertEquals(earliest(model, 1), q.earliest(1));
      assertEquals(model.values().stream().mapToLong(t -> t[2]).min().orElse(NONE), q.minHold());
    }
    TimerQueue fresh = new TimerQueue(store, groups);
    for (int domain = 0; domain < 2; domain++) {
      while (pollAndCheck(fresh, model, domain, Long.MAX_VALUE) != null) {
        assertEquals(model.values().stream().mapToLong(t -> t[2]).min().orElse(NONE), fresh.minHold());
      }
    }
    assertTrue(model.isEmpty());
    assertTrue(fresh.isEmpty());
  }

  /** Polls a timer due at {@code upTo} and checks it is the model's earliest, which it removes. */
  private static Timer pollAndCheck(TimerQueue q, Map<String, long[]> model, int domain, long upTo) {
    Timer polled = q.pollDue(domain, upTo);
    long earliest = earliest(model, domain);
    if (earliest == Long.MAX_VALUE || earliest > upTo) {
      assertNull(polled);
      return null;
    }
    assertNotNull(polled, "a timer at " + earliest + " is due at " + upTo);
    assertEquals(earliest, polled.timestamp());
    long[] expected = model.remove(s(polled.key()) + "|" + s(polled.name()));
    assertNotNull(expected, "polled a timer the model does not have: " + polled);
    assertEquals(expected[0], polled.domain());
    assertEquals(expected[2], polled.hold());
    assertEquals(s(polled.key()) + "/" + s(polled.name()) + "@" + earliest, s(polled.payload()));
    return polled;
  }

  private static long earliest(Map<String, long[]> model, int domain) {
    return model.values().stream().filter(t -> t[0] == domain).mapToLong(t -> t[1]).min().orElse(Long.MAX_VALUE);
  }
}

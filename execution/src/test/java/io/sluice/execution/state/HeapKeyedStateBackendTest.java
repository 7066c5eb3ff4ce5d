package io.sluice.execution.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HeapKeyedStateBackendTest {

  /** A key's state: a counter, and the key bytes it was made for. */
  private static final class Counter {
    final byte[] madeFor;
    int value;

    Counter(byte[] madeFor) {
      this.madeFor = madeFor.clone();
    }
  }

  private final AtomicInteger created = new AtomicInteger();
  private final HeapKeyedStateBackend<Counter> backend = new HeapKeyedStateBackend<>(key -> {
    created.incrementAndGet();
    return new Counter(key);
  });

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  private static Set<String> hex(Iterable<byte[]> keys) {
    Set<String> out = new TreeSet<>();
    for (byte[] k : keys) {
      out.add(HexFormat.of().formatHex(k));
    }
    return out;
  }

  @Test
  void equalContentInDifferentArraysIsOneKey() {
    byte[] k1 = bytes(1, 2, 3);
    byte[] k1Again = bytes(1, 2, 3);
    assertNotSame(k1, k1Again);
    Counter c = backend.state(k1);
    c.value = 41;
    assertSame(c, backend.state(k1Again));
    backend.state(k1Again).value++;
    assertEquals(42, backend.state(bytes(1, 2, 3)).value);
    assertEquals(1, created.get(), "state made once for the key");
    assertArrayEquals(bytes(1, 2, 3), c.madeFor, "stateForKey gets the key's bytes");
  }

  @Test
  void differentContentIsADifferentKey() {
    Counter a = backend.state(bytes(1, 2, 3));
    Counter b = backend.state(bytes(1, 2, 4));
    Counter prefix = backend.state(bytes(1, 2));
    Counter empty = backend.state(new byte[0]);
    Counter negative = backend.state(bytes(0xff));
    assertEquals(5, Set.of(a, b, prefix, empty, negative).size());
    assertEquals(5, created.get());
    assertSame(empty, backend.state(new byte[0]));
  }

  @Test
  void keysListsEachKeyOnce() {
    assertFalse(backend.keys().iterator().hasNext());
    backend.state(bytes(1));
    backend.state(bytes(2, 0));
    backend.state(bytes(1));
    backend.state(bytes(0x80));
    List<byte[]> keys = new ArrayList<>();
    backend.keys().forEach(keys::add);
    assertEquals(3, keys.size());
    assertEquals(Set.of("01", "0200", "80"), hex(keys));
  }

  @Test
  void dropForgetsTheKeyAndItsState() {
    Counter first = backend.state(bytes(7));
    first.value = 5;
    backend.state(bytes(8)).value = 6;
    backend.drop(bytes(7)); // another array with the same content
    assertEquals(Set.of("08"), hex(backend.keys()));
    Counter second = backend.state(bytes(7));
    assertNotSame(first, second);
    assertEquals(0, second.value, "fresh state after drop");
    assertEquals(3, created.get());
    assertEquals(6, backend.state(bytes(8)).value, "other keys keep their state");

    backend.drop(bytes(9)); // absent: no effect
    assertEquals(Set.of("07", "08"), hex(backend.keys()));
  }

  @Test
  void closeForgetsEverything() {
    backend.state(bytes(1));
    backend.state(bytes(2));
    backend.close();
    assertFalse(backend.keys().iterator().hasNext());
    backend.state(bytes(1));
    assertEquals(3, created.get());
  }

  @Test
  void heapKindMakesAHeapBackend() {
    KeyedStateBackend<Counter> made = StateBackendKind.HEAP.create(Counter::new);
    assertTrue(made instanceof HeapKeyedStateBackend);
    assertSame(made.state(bytes(3, 4)), made.state(bytes(3, 4)));
  }

  @Test
  void byteKeyHasValueEqualityAndUnsignedOrder() {
    assertEquals(new ByteKey(bytes(1, 2)), new ByteKey(bytes(1, 2)));
    assertEquals(new ByteKey(bytes(1, 2)).hashCode(), new ByteKey(bytes(1, 2)).hashCode());
    assertFalse(new ByteKey(bytes(1, 2)).equals(new ByteKey(bytes(1, 3))));
    assertTrue(new ByteKey(bytes(0x7f)).compareTo(new ByteKey(bytes(0x80))) < 0, "0x80 sorts after 0x7f");
    assertTrue(new ByteKey(bytes(1)).compareTo(new ByteKey(bytes(1, 0))) < 0, "a prefix sorts first");
    assertEquals(0, new ByteKey(bytes(5, 6)).compareTo(new ByteKey(bytes(5, 6))));
  }
}

package io.sluice.execution.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** What every {@link SortedByteStore} must do; subclasses supply the store. */
abstract class SortedByteStoreContract {

  protected abstract SortedByteStore store();

  static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  /** Drains a cursor into "key=value" hex strings, closing it. */
  static List<String> drain(SortedByteStore.Cursor cursor) {
    List<String> out = new ArrayList<>();
    try (cursor) {
      while (cursor.hasNext()) {
        Map.Entry<byte[], byte[]> e = cursor.next();
        out.add(hex(e.getKey()) + "=" + hex(e.getValue()));
      }
    }
    return out;
  }

  static List<String> keys(SortedByteStore.Cursor cursor) {
    List<String> out = new ArrayList<>();
    for (String entry : drain(cursor)) {
      out.add(entry.substring(0, entry.indexOf('=')));
    }
    return out;
  }

  /** Keys around the 0xFF and 0x00 edges, stored with a one-byte value = insertion index. */
  private void putEdgeKeys() {
    SortedByteStore s = store();
    s.put(bytes(0xff, 0xff, 0x00), bytes(1));
    s.put(bytes(0xff), bytes(2));
    s.put(bytes(0x00), bytes(3));
    s.put(bytes(0xfe, 0xff), bytes(4));
    s.put(bytes(0xff, 0xff), bytes(5));
    s.put(bytes(0x7f), bytes(6));
    s.put(bytes(0x80), bytes(7));
    s.put(bytes(0xff, 0x00), bytes(8));
    s.put(bytes(), bytes(9));
  }

  @Test
  void putGetOverwriteDelete() {
    SortedByteStore s = store();
    assertNull(s.get(bytes(1)));
    s.put(bytes(1), bytes(10));
    s.put(bytes(1, 0), bytes(11));
    assertArrayEquals(bytes(10), s.get(bytes(1)));
    s.put(bytes(1), bytes(12, 13));
    assertArrayEquals(bytes(12, 13), s.get(bytes(1)));
    assertArrayEquals(bytes(11), s.get(bytes(1, 0)));
    s.delete(bytes(1));
    assertNull(s.get(bytes(1)));
    assertArrayEquals(bytes(11), s.get(bytes(1, 0)));
    s.delete(bytes(9)); // absent: no effect
    assertEquals(List.of("0100=0b"), drain(s.scan(bytes())));
  }

  @Test
  void emptyKeyAndEmptyValue() {
    SortedByteStore s = store();
    s.put(bytes(), bytes());
    assertArrayEquals(bytes(), s.get(bytes()));
    assertEquals(List.of("="), drain(s.scan(bytes())));
  }

  @Test
  void emptyPrefixScansEverythingInUnsignedOrder() {
    putEdgeKeys();
    assertEquals(
        List.of("=09", "00=03", "7f=06", "80=07", "feff=04", "ff=02", "ff00=08", "ffff=05", "ffff00=01"),
        drain(store().scan(bytes())));
  }

  @Test
  void scanWithFfPrefixes() {
    putEdgeKeys();
    assertEquals(List.of("ff", "ff00", "ffff", "ffff00"), keys(store().scan(bytes(0xff))));
    assertEquals(List.of("ffff", "ffff00"), keys(store().scan(bytes(0xff, 0xff))));
    assertEquals(List.of(), keys(store().scan(bytes(0xff, 0xff, 0xff))));
    assertEquals(List.of("feff"), keys(store().scan(bytes(0xfe))));
    assertEquals(List.of("80"), keys(store().scan(bytes(0x80))));
  }

  @Test
  void rangeIsHalfOpen() {
    putEdgeKeys();
    assertEquals(List.of("7f", "80", "feff"), keys(store().range(bytes(0x7f), bytes(0xff))));
    assertEquals(List.of("80", "feff", "ff", "ff00"), keys(store().range(bytes(0x7f, 0x00), bytes(0xff, 0xff))));
    assertEquals(List.of("ffff", "ffff00"), keys(store().range(bytes(0xff, 0x01), null)));
    assertEquals(List.of(), keys(store().range(bytes(0x10), bytes(0x10))));
    assertEquals(List.of("", "00"), keys(store().range(bytes(), bytes(0x01))));
  }

  @Test
  void deletePrefixRemovesExactlyThePrefix() {
    putEdgeKeys();
    store().deletePrefix(bytes(0xff, 0xff));
    assertEquals(List.of("", "00", "7f", "80", "feff", "ff", "ff00"), keys(store().scan(bytes())));
    store().deletePrefix(bytes(0xff));
    assertEquals(List.of("", "00", "7f", "80", "feff"), keys(store().scan(bytes())));
    store().deletePrefix(bytes(0x7f));
    assertEquals(List.of("", "00", "80", "feff"), keys(store().scan(bytes())));
    store().deletePrefix(bytes(0x42)); // nothing there
    assertEquals(List.of("", "00", "80", "feff"), keys(store().scan(bytes())));
    store().deletePrefix(bytes());
    assertEquals(List.of(), keys(store().scan(bytes())));
    assertNull(store().get(bytes()));
  }

  @Test
  void cursorToleratesWritesWhileOpen() {
    SortedByteStore s = store();
    for (int i = 0; i < 10; i++) {
      s.put(bytes(5, i), bytes(i));
    }
    List<String> seen = new ArrayList<>();
    try (SortedByteStore.Cursor cursor = s.scan(bytes(5))) {
      while (cursor.hasNext()) {
        byte[] key = cursor.next().getKey();
        seen.add(hex(key));
        s.delete(key);
        s.put(bytes(6, key[1]), bytes(1)); // outside the scanned prefix
        s.delete(bytes(5, key[1] + 1)); // the next key: may or may not still be seen
      }
    }
    assertFalse(seen.isEmpty());
    assertEquals("0500", seen.get(0));
    List<String> sorted = new ArrayList<>(seen);
    sorted.sort(null);
    assertEquals(sorted, seen, "ascending, no repeats");
    assertEquals(List.of(), keys(s.scan(bytes(5))));
    assertEquals(seen.size(), keys(s.scan(bytes(6))).size());
  }

  @Test
  void exhaustedCursorThrowsOnNext() {
    store().put(bytes(1), bytes(1));
    try (SortedByteStore.Cursor cursor = store().scan(bytes(1))) {
      assertArrayEquals(bytes(1), cursor.next().getKey());
      assertFalse(cursor.hasNext());
      assertThrows(NoSuchElementException.class, cursor::next);
    }
    try (SortedByteStore.Cursor cursor = store().scan(bytes(2))) {
      assertFalse(cursor.hasNext());
    }
  }
}

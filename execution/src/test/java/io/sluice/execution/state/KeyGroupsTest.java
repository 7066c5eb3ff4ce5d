package io.sluice.execution.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KeyGroupsTest {

  @Test
  void groupsAreInRangeAndSpread() {
    int[] counts = new int[KeyGroups.MAX_KEY_GROUPS];
    for (int i = 0; i < 128_000; i++) {
      int group = KeyGroups.of(ByteBuffer.allocate(4).putInt(i).array());
      assertTrue(group >= 0 && group < KeyGroups.MAX_KEY_GROUPS);
      counts[group]++;
    }
    // 1000 expected per group; a poor spread misses this by far.
    assertTrue(Arrays.stream(counts).min().getAsInt() > 850, Arrays.toString(counts));
    assertTrue(Arrays.stream(counts).max().getAsInt() < 1150, Arrays.toString(counts));
  }

  @Test
  void prefixIsGroupThenVarintLengthThenKey() {
    byte[] key = {7, 8, 9};
    int group = KeyGroups.of(key);
    assertArrayEquals(new byte[] {(byte) (group >> 8), (byte) group, 3, 7, 8, 9}, KeyGroups.prefix(key));

    byte[] longKey = new byte[300]; // 300 = 0b10_0101100: varint AC 02
    byte[] prefix = KeyGroups.prefix(longKey);
    assertEquals(2 + 2 + 300, prefix.length);
    assertEquals((byte) 0xac, prefix[2]);
    assertEquals(2, prefix[3]);
    assertEquals(prefix.length, KeyGroups.prefixLengthAt(prefix, 0));
    assertArrayEquals(longKey, KeyGroups.keyAt(prefix, 0));
  }

  @Test
  void noKeysPrefixStartsAnotherKeysPrefix() {
    // A key and a one byte longer key in the same group: only the length tells them apart.
    byte[] shorter = {1};
    byte[] longer = null;
    for (int extra = 0; longer == null && extra < 256; extra++) {
      byte[] candidate = {1, (byte) extra};
      if (KeyGroups.of(candidate) == KeyGroups.of(shorter)) {
        longer = candidate;
      }
    }
    assertTrue(longer != null, "no same-group key found");
    assertFalse(startsWith(KeyGroups.prefix(longer), KeyGroups.prefix(shorter)));
    byte[] empty = KeyGroups.prefix(new byte[0]);
    assertEquals(3, empty.length);
    assertEquals(0, empty[2]);
  }

  @Test
  void keyIsReadBackAfterAnOffset() {
    byte[] prefix = KeyGroups.prefix(new byte[] {(byte) 0xff, 0});
    byte[] stored = new byte[1 + prefix.length + 2];
    System.arraycopy(prefix, 0, stored, 1, prefix.length);
    assertEquals(prefix.length, KeyGroups.prefixLengthAt(stored, 1));
    assertArrayEquals(new byte[] {(byte) 0xff, 0}, KeyGroups.keyAt(stored, 1));
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length
        && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }
}

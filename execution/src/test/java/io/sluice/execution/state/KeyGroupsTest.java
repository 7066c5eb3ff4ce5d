package io.sluice.execution.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KeyGroupsTest {

  private static final KeyGroups GROUPS = new KeyGroups(KeyGroups.DEFAULT_MAX_PARALLELISM);

  @Test
  void groupsAreInRangeAndSpread() {
    int[] counts = new int[GROUPS.count()];
    for (int i = 0; i < 128_000; i++) {
      int group = GROUPS.of(ByteBuffer.allocate(4).putInt(i).array());
      assertTrue(group >= 0 && group < GROUPS.count());
      counts[group]++;
    }
    // 1000 expected per group; a poor spread misses this by far.
    assertTrue(Arrays.stream(counts).min().getAsInt() > 850, Arrays.toString(counts));
    assertTrue(Arrays.stream(counts).max().getAsInt() < 1150, Arrays.toString(counts));
  }

  @Test
  void prefixIsGroupThenVarintLengthThenKey() {
    byte[] key = {7, 8, 9};
    int group = GROUPS.of(key);
    assertArrayEquals(new byte[] {(byte) (group >> 8), (byte) group, 3, 7, 8, 9}, GROUPS.prefix(key));

    byte[] longKey = new byte[300]; // 300 = 0b10_0101100: varint AC 02
    byte[] prefix = GROUPS.prefix(longKey);
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
      if (GROUPS.of(candidate) == GROUPS.of(shorter)) {
        longer = candidate;
      }
    }
    assertTrue(longer != null, "no same-group key found");
    assertFalse(startsWith(GROUPS.prefix(longer), GROUPS.prefix(shorter)));
    byte[] empty = GROUPS.prefix(new byte[0]);
    assertEquals(3, empty.length);
    assertEquals(0, empty[2]);
  }

  @Test
  void keyIsReadBackAfterAnOffset() {
    byte[] prefix = GROUPS.prefix(new byte[] {(byte) 0xff, 0});
    byte[] stored = new byte[1 + prefix.length + 2];
    System.arraycopy(prefix, 0, stored, 1, prefix.length);
    assertEquals(prefix.length, KeyGroups.prefixLengthAt(stored, 1));
    assertArrayEquals(new byte[] {(byte) 0xff, 0}, KeyGroups.keyAt(stored, 1));
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length
        && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
  }

  @Test
  void eachGroupHasExactlyTheOwnerItsRangeSays() {
    for (int count : new int[] {1, 7, 128, 1000, KeyGroups.UPPER_BOUND}) {
      KeyGroups groups = new KeyGroups(count);
      for (int parallelism : new int[] {1, 2, 3, 5, 7, 64, 127, 128, 1000}) {
        if (parallelism > count) {
          continue;
        }
        int expectedFirst = 0;
        for (int subtask = 0; subtask < parallelism; subtask++) {
          int first = groups.firstGroupOf(subtask, parallelism);
          int end = groups.endGroupOf(subtask, parallelism);
          assertEquals(expectedFirst, first, "ranges are contiguous");
          assertTrue(end > first, "every subtask owns a group: " + count + "/" + parallelism + "/" + subtask);
          for (int g = first; g < end; g++) {
            assertEquals(subtask, groups.subtaskOf(g, parallelism));
          }
          expectedFirst = end;
        }
        assertEquals(count, expectedFirst, "ranges cover every group");
      }
    }
  }

  @Test
  void keysSpreadOverSubtasksThroughTheirGroups() {
    KeyGroups groups = new KeyGroups(128);
    int[] perSubtask = new int[3];
    for (int i = 0; i < 30_000; i++) {
      perSubtask[groups.subtaskOf(groups.of(ByteBuffer.allocate(4).putInt(i).array()), 3)]++;
    }
    for (int n : perSubtask) {
      assertTrue(n > 8_500 && n < 11_500, Arrays.toString(perSubtask));
    }
  }

  @Test
  void parallelismAboveTheGroupCountIsRefusedByName() {
    KeyGroups groups = new KeyGroups(4);
    groups.checkParallelism("vertex v", 4);
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> groups.checkParallelism("vertex v", 5));
    assertTrue(e.getMessage().contains("vertex v") && e.getMessage().contains("--maxParallelism"), e.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new KeyGroups(0));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new KeyGroups(KeyGroups.UPPER_BOUND + 1));
  }
}

package io.sluice.execution.sort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExternalSorterTest {

  private static final long TINY_BUDGET = 4 * 1024;
  private static final long HUGE_BUDGET = 256L * 1024 * 1024;

  @TempDir Path spillDir;

  /**
   * Records what went in, independently of the sorter: a TreeMap ordered by the specified key
   * order, each key's values in insertion order.
   */
  private static final class Expectation {
    final TreeMap<byte[], List<byte[]>> groups = new TreeMap<>(Arrays::compareUnsigned);
    long records;

    void add(ExternalSorter sorter, byte[] key, byte[] value) throws IOException {
      // Copies, so that the expectation cannot be affected by what the sorter does with its
      // arrays.
      groups.computeIfAbsent(key.clone(), k -> new ArrayList<>()).add(value.clone());
      records++;
      sorter.add(key, value);
    }

    List<String> render() {
      List<String> out = new ArrayList<>();
      for (Map.Entry<byte[], List<byte[]>> group : groups.entrySet()) {
        out.add(renderGroup(group.getKey(), group.getValue()));
      }
      return out;
    }
  }

  private static String renderGroup(byte[] key, List<byte[]> values) {
    StringBuilder sb = new StringBuilder(HexFormat.of().formatHex(key)).append(" ->");
    for (byte[] value : values) {
      sb.append(' ').append(HexFormat.of().formatHex(value));
    }
    return sb.toString();
  }

  /** Reads every group fully, turning a streamed I/O failure back into the IOException. */
  private static List<String> readAll(GroupIterator groups) throws IOException {
    List<String> out = new ArrayList<>();
    try {
      while (groups.nextGroup()) {
        List<byte[]> values = new ArrayList<>();
        groups.values().forEachRemaining(values::add);
        out.add(renderGroup(groups.key(), values));
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return out;
  }

  /** Compares group by group and value by value, so a failure points at the first difference. */
  private static void assertGroups(List<String> expected, List<String> actual) {
    for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
      String[] want = expected.get(i).split(" ", -1);
      String[] got = actual.get(i).split(" ", -1);
      assertEquals(want[0], got[0], "key of group #" + i);
      for (int v = 2; v < Math.min(want.length, got.length); v++) {
        String where = "value #" + (v - 2) + " of group #" + i + " (" + want[0] + ")";
        assertEquals(want[v], got[v], where);
      }
      assertEquals(want.length, got.length, "number of values in group #" + i);
    }
    assertEquals(expected.size(), actual.size(), "number of groups");
  }

  private static byte[] randomKey(Random random, int keySpace) {
    // Varying lengths and high-bit bytes exercise unsigned, prefix-aware comparison.
    int id = random.nextInt(keySpace);
    byte[] key = new byte[1 + id % 7];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (id * 31 + i * 97);
    }
    return key;
  }

  /** A value that names its insertion index, so any reordering is visible. */
  private static byte[] valueFor(long index, Random random) {
    ByteBuffer value = ByteBuffer.allocate(8 + random.nextInt(16));
    value.putLong(index);
    while (value.hasRemaining()) {
      value.put((byte) random.nextInt());
    }
    return value.array();
  }

  private static List<Path> filesUnder(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths.filter(Files::isRegularFile).sorted().toList();
    }
  }

  @Test
  void underBudgetNeverSpillsAndGroupsCorrectly() throws IOException {
    Random random = new Random(1);
    Expectation expected = new Expectation();
    try (ExternalSorter sorter = new ExternalSorter(spillDir, HUGE_BUDGET)) {
      for (int i = 0; i < 5_000; i++) {
        expected.add(sorter, randomKey(random, 50), valueFor(i, random));
      }
      assertEquals(5_000, sorter.recordCount());
      try (GroupIterator groups = sorter.groups()) {
        assertGroups(expected.render(), readAll(groups));
      }
      assertEquals(0, sorter.spilledRuns());
      assertEquals(0, sorter.spilledBytes());
      assertEquals(0, sorter.peakOpenFiles());
      try (Stream<Path> entries = Files.list(spillDir)) {
        assertEquals(0, entries.count(), "nothing may be written when everything fits");
      }
    }
  }

  @Test
  void tinyBudgetSpillsMoreRunsThanFilesMayBeOpenAndMergesInPasses() throws IOException {
    Random random = new Random(2);
    Expectation expected = new Expectation();
    try (ExternalSorter sorter = new ExternalSorter(spillDir, TINY_BUDGET)) {
      for (int i = 0; i < 100_000; i++) {
        expected.add(sorter, randomKey(random, 1000), valueFor(i, random));
      }
      assertTrue(sorter.spilledRuns() > 64, "spilled runs: " + sorter.spilledRuns());
      assertTrue(sorter.spilledBytes() > 0);
      try (GroupIterator groups = sorter.groups()) {
        assertTrue(sorter.mergePasses() >= 1, "merge passes: " + sorter.mergePasses());
        assertTrue(sorter.peakOpenFiles() <= 64, "peak open files: " + sorter.peakOpenFiles());
        List<String> actual = readAll(groups);
        assertEquals(1000, actual.size());
        assertGroups(expected.render(), actual);
      }
      assertEquals(100_000, sorter.recordCount());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {3, 4, 7})
  void smallFanInNeedsSeveralPassesAndStaysStable(int maxOpenFiles) throws IOException {
    Random random = new Random(maxOpenFiles);
    Expectation expected = new Expectation();
    try (ExternalSorter sorter = new ExternalSorter(spillDir, 2048, maxOpenFiles)) {
      for (int i = 0; i < 6_000; i++) {
        // Few keys, so nearly every group spans many runs and stability is really tested.
        expected.add(sorter, randomKey(random, 13), valueFor(i, random));
      }
      try (GroupIterator groups = sorter.groups()) {
        assertTrue(sorter.mergePasses() >= 2, "merge passes: " + sorter.mergePasses());
        assertTrue(sorter.peakOpenFiles() <= maxOpenFiles, "peak: " + sorter.peakOpenFiles());
        assertGroups(expected.render(), readAll(groups));
      }
    }
  }

  @Test
  void singleKeyAcrossManyRunsStreamsValuesInInsertionOrder() throws IOException {
    byte[] key = {(byte) 0xAB, 0x00, 0x01};
    int count = 30_000;
    try (ExternalSorter sorter = new ExternalSorter(spillDir, TINY_BUDGET)) {
      for (int i = 0; i < count; i++) {
        sorter.add(key.clone(), ByteBuffer.allocate(8).putLong(i).array());
      }
      assertTrue(sorter.spilledRuns() > 64, "spilled runs: " + sorter.spilledRuns());
      try (GroupIterator groups = sorter.groups()) {
        assertTrue(groups.nextGroup());
        assertArrayEquals(key, groups.key());
        Iterator<byte[]> values = groups.values();
        assertSame(values, groups.values(), "one single-pass iterator per group");
        long expectedNext = 0;
        while (values.hasNext()) {
          assertEquals(expectedNext++, ByteBuffer.wrap(values.next()).getLong());
        }
        assertEquals(count, expectedNext);
        assertThrows(NoSuchElementException.class, values::next);
        assertFalse(groups.nextGroup());
        assertThrows(IllegalStateException.class, values::hasNext);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {TINY_BUDGET, HUGE_BUDGET})
  void unreadValuesAreSkipped(long budget) throws IOException {
    Random random = new Random(3);
    Expectation expected = new Expectation();
    try (ExternalSorter sorter = new ExternalSorter(spillDir, budget)) {
      for (int i = 0; i < 20_000; i++) {
        expected.add(sorter, randomKey(random, 300), valueFor(i, random));
      }
      try (GroupIterator groups = sorter.groups()) {
        int index = 0;
        for (Map.Entry<byte[], List<byte[]>> group : expected.groups.entrySet()) {
          assertTrue(groups.nextGroup(), "group #" + index);
          assertArrayEquals(group.getKey(), groups.key(), "key of group #" + index);
          List<byte[]> expectedValues = group.getValue();
          switch (index % 4) {
            case 0 -> {
              // read nothing, not even values()
            }
            case 1 -> groups.values(); // ask for the iterator but read nothing
            case 2 -> assertArrayEquals(expectedValues.get(0), groups.values().next());
            default -> {
              Iterator<byte[]> values = groups.values();
              int half = Math.max(1, expectedValues.size() / 2);
              for (int i = 0; i < half; i++) {
                assertTrue(values.hasNext());
                assertArrayEquals(expectedValues.get(i), values.next(), "value " + i);
              }
            }
          }
          index++;
        }
        assertFalse(groups.nextGroup());
        assertFalse(groups.nextGroup(), "stays exhausted");
        assertThrows(IllegalStateException.class, groups::key);
      }
    }
  }

  @Test
  void emptyInputHasNoGroups() throws IOException {
    try (ExternalSorter sorter = new ExternalSorter(spillDir, TINY_BUDGET)) {
      assertEquals(0, sorter.recordCount());
      try (GroupIterator groups = sorter.groups()) {
        assertThrows(IllegalStateException.class, groups::key);
        assertThrows(IllegalStateException.class, groups::values);
        assertFalse(groups.nextGroup());
        assertFalse(groups.nextGroup());
      }
      assertEquals(0, sorter.spilledRuns());
    }
    try (Stream<Path> entries = Files.list(spillDir)) {
      assertEquals(0, entries.count());
    }
  }

  @Test
  void unsignedLexicographicOrderWithEmptyKeysAndValues() throws IOException {
    byte[][] keys = {
      {(byte) 0xFF}, {0x7F}, {(byte) 0x80}, {}, {0x01, 0x00}, {0x01}, {0x00}, {(byte) 0x80, 0x00},
    };
    for (long budget : new long[] {0, HUGE_BUDGET}) {
      try (ExternalSorter sorter = new ExternalSorter(spillDir, budget)) {
        for (int round = 0; round < 3; round++) {
          for (byte[] key : keys) {
            sorter.add(key.clone(), round == 1 ? new byte[0] : new byte[] {(byte) round});
          }
        }
        List<String> actual = readAll(sorter.groups());
        assertEquals(
            List.of(
                " -> 00  02",
                "00 -> 00  02",
                "01 -> 00  02",
                "0100 -> 00  02",
                "7f -> 00  02",
                "80 -> 00  02",
                "8000 -> 00  02",
                "ff -> 00  02"),
            actual,
            "budget " + budget);
        assertEquals(budget == 0 ? 24 : 0, sorter.spilledRuns());
      }
    }
  }

  @Test
  void recordLargerThanTheBudgetIsSpilledAlone() throws IOException {
    Random random = new Random(4);
    Expectation expected = new Expectation();
    try (ExternalSorter sorter = new ExternalSorter(spillDir, 1024)) {
      for (int i = 0; i < 10; i++) {
        byte[] value = new byte[5_000 + i];
        random.nextBytes(value);
        expected.add(sorter, new byte[] {(byte) (i % 3)}, value);
      }
      assertEquals(10, sorter.spilledRuns());
      assertGroups(expected.render(), readAll(sorter.groups()));
    }
  }

  @Test
  void closeRemovesSpillFiles() throws IOException {
    ExternalSorter sorter = new ExternalSorter(spillDir, TINY_BUDGET);
    Random random = new Random(5);
    for (int i = 0; i < 5_000; i++) {
      sorter.add(randomKey(random, 100), valueFor(i, random));
    }
    assertTrue(sorter.spilledRuns() > 0);
    List<Path> files = filesUnder(spillDir);
    assertEquals(sorter.spilledRuns(), files.size(), "one file per run: " + files);
    long onDisk = 0;
    for (Path file : files) {
      onDisk += Files.size(file);
    }
    assertEquals(sorter.spilledBytes(), onDisk);

    GroupIterator groups = sorter.groups();
    assertTrue(groups.nextGroup());
    groups.values().next();
    // Closing mid-iteration, with runs still open, must clean up too.
    sorter.close();
    assertThrows(IllegalStateException.class, groups::nextGroup);
    try (Stream<Path> entries = Files.list(spillDir)) {
      assertEquals(List.of(), entries.toList(), "spill directory must be left empty");
    }
    assertDoesNotThrow(sorter::close, "close is idempotent");
    assertThrows(IllegalStateException.class, () -> sorter.add(new byte[1], new byte[1]));
  }

  @Test
  void closeAfterIntermediateMergesRemovesEverything() throws IOException {
    try (ExternalSorter sorter = new ExternalSorter(spillDir, 512, 3)) {
      Random random = new Random(6);
      for (int i = 0; i < 2_000; i++) {
        sorter.add(randomKey(random, 10), valueFor(i, random));
      }
      try (GroupIterator groups = sorter.groups()) {
        assertTrue(sorter.mergePasses() > 0);
        assertTrue(filesUnder(spillDir).size() <= 3, "merged inputs are deleted as they go");
        groups.nextGroup();
      }
    }
    assertEquals(List.of(), filesUnder(spillDir));
    try (Stream<Path> entries = Files.list(spillDir)) {
      assertEquals(0, entries.count());
    }
  }

  @Test
  void unwritableSpillDirectoryFailsWithItsName() throws IOException {
    Path regularFile = Files.createFile(spillDir.resolve("not-a-directory"));
    Path badSpillDir = regularFile.resolve("spill");
    ExternalSorter sorter = new ExternalSorter(badSpillDir, 100);
    IOException failure =
        assertThrows(
            IOException.class,
            () -> {
              for (int i = 0; i < 100; i++) {
                sorter.add(new byte[] {(byte) i}, new byte[100]);
              }
            });
    assertEquals(1, sorter.recordCount(), "the very first spill must fail");
    assertTrue(failure.getMessage().contains(badSpillDir.toString()), failure.getMessage());
    long runBytes = RunFormat.runBytes(RunFormat.recordBytes(1, 100));
    assertTrue(failure.getMessage().contains(runBytes + " bytes"), failure.getMessage());
    assertNotNull(failure.getCause());
    assertThrows(IllegalStateException.class, () -> sorter.add(new byte[1], new byte[1]));
    assertDoesNotThrow(sorter::close);
  }

  @Test
  void spillFailureAfterEarlierRunsPropagatesAndNothingIsLeftBehind() throws IOException {
    ExternalSorter sorter = new ExternalSorter(spillDir, TINY_BUDGET);
    Random random = new Random(7);
    int i = 0;
    while (sorter.spilledRuns() == 0) {
      sorter.add(randomKey(random, 10), valueFor(i++, random));
    }
    // Pull the run directory out from under the sorter, as a vanished or unmounted disk would.
    Path runDirectory = filesUnder(spillDir).get(0).getParent();
    for (Path file : filesUnder(runDirectory)) {
      Files.delete(file);
    }
    Files.delete(runDirectory);
    IOException failure =
        assertThrows(
            IOException.class,
            () -> {
              for (int j = 0; j < 100_000; j++) {
                sorter.add(randomKey(random, 10), valueFor(j, random));
              }
            });
    assertTrue(failure.getMessage().contains(spillDir.toString()), failure.getMessage());
    assertTrue(failure.getMessage().matches("(?s).*run #2 .* \\d+ bytes.*"), failure.getMessage());
    assertThrows(IllegalStateException.class, sorter::groups);
    sorter.close();
    assertEquals(List.of(), filesUnder(spillDir));
  }

  private ExternalSorter sorterWithRuns(int runs) throws IOException {
    ExternalSorter sorter = new ExternalSorter(spillDir, TINY_BUDGET);
    Random random = new Random(8);
    int i = 0;
    while (sorter.spilledRuns() < runs) {
      sorter.add(randomKey(random, 50), valueFor(i++, random));
    }
    return sorter;
  }

  @Test
  void truncatedRunFileIsReportedWhileMerging() throws IOException {
    try (ExternalSorter sorter = sorterWithRuns(3)) {
      Path victim = filesUnder(spillDir).get(1);
      try (FileChannel channel = FileChannel.open(victim, StandardOpenOption.WRITE)) {
        channel.truncate(channel.size() - 30);
      }
      IOException failure = assertThrows(IOException.class, () -> readAll(sorter.groups()));
      assertTrue(failure.getMessage().contains(victim.toString()), failure.getMessage());
      assertTrue(failure.getMessage().contains("truncated"), failure.getMessage());
    }
    assertEquals(List.of(), filesUnder(spillDir));
  }

  @Test
  void flippedByteInsideARunIsReportedWhileMerging() throws IOException {
    try (ExternalSorter sorter = sorterWithRuns(3)) {
      Path victim = filesUnder(spillDir).get(2);
      byte[] content = Files.readAllBytes(victim);
      // Inside the second value: framing stays valid, so only the checksum can notice.
      int offset = RunFormat.HEADER_BYTES;
      offset += 8 + RunFormat.getInt(content, offset) + RunFormat.getInt(content, offset + 4);
      offset += 8 + RunFormat.getInt(content, offset);
      content[offset + 3] ^= 0x10;
      Files.write(victim, content);
      GroupIterator groups = sorter.groups();
      IOException failure = assertThrows(IOException.class, () -> readAll(groups));
      assertTrue(failure.getMessage().contains(victim.toString()), failure.getMessage());
      assertTrue(failure.getMessage().contains("checksum"), failure.getMessage());
      // The failure is sticky: carrying on would present a partial result as complete.
      assertThrows(IOException.class, groups::nextGroup);
    }
  }

  @Test
  void damagedLengthIsReportedWithoutHugeAllocation() throws IOException {
    try (ExternalSorter sorter = sorterWithRuns(2)) {
      Path victim = filesUnder(spillDir).get(0);
      byte[] content = Files.readAllBytes(victim);
      RunFormat.putInt(content, RunFormat.HEADER_BYTES + 4, Integer.MAX_VALUE - 100);
      Files.write(victim, content);
      IOException failure = assertThrows(IOException.class, () -> readAll(sorter.groups()));
      assertTrue(failure.getMessage().contains(victim.toString()), failure.getMessage());
      assertTrue(failure.getMessage().contains("corrupt"), failure.getMessage());
    }
  }

  @Test
  void misuseIsRejected() throws IOException {
    try (ExternalSorter sorter = new ExternalSorter(spillDir, TINY_BUDGET)) {
      assertThrows(NullPointerException.class, () -> sorter.add(null, new byte[0]));
      assertThrows(NullPointerException.class, () -> sorter.add(new byte[0], null));
      sorter.add(new byte[] {1}, new byte[] {2});
      sorter.groups().close();
      assertThrows(IllegalStateException.class, sorter::groups);
      assertThrows(IllegalStateException.class, () -> sorter.add(new byte[1], new byte[1]));
    }
    assertThrows(IllegalArgumentException.class, () -> new ExternalSorter(spillDir, -1));
  }
}

package io.sluice.translation.operators.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Test;

class HeapKeyGroupsTest {

  /** Random keys and values, some values larger than a page; the model keeps each key's values in arrival order. */
  private static Map<String, List<String>> fill(HeapKeyGroups groups, long seed, int records, int keys) {
    Random random = new Random(seed);
    Map<String, List<String>> model = new LinkedHashMap<>();
    for (int i = 0; i < records; i++) {
      String key = "k" + random.nextInt(keys);
      int size = random.nextInt(100) == 0 ? HeapKeyGroups.PAGE_BYTES + random.nextInt(1000) : random.nextInt(300);
      char[] filler = new char[size];
      Arrays.fill(filler, (char) ('a' + i % 26));
      String value = i + ":" + new String(filler);
      byte[] bytes = ("xx" + value + "yy").getBytes(StandardCharsets.ISO_8859_1);
      assertTrue(groups.add(key.getBytes(StandardCharsets.ISO_8859_1), bytes, 2, bytes.length - 4));
      model.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return model;
  }

  /** Each group read twice, as Beam lets a DoFn iterate a grouped value more than once. */
  private static Map<String, List<String>> groups(HeapKeyGroups groups) throws Exception {
    Map<String, List<String>> out = new HashMap<>();
    groups.forEachGroup((key, values) -> {
      List<String> first = read(values);
      assertEquals(first, read(values));
      List<String> before = out.put(new String(key, StandardCharsets.ISO_8859_1), first);
      assertEquals(null, before, "a key handed out twice");
    });
    return out;
  }

  private static List<String> read(EncodedValues values) throws Exception {
    List<String> out = new ArrayList<>();
    try (EncodedValues.Cursor c = values.cursor()) {
      while (c.next()) {
        out.add(new String(c.bytes(), c.offset(), c.length(), StandardCharsets.ISO_8859_1));
      }
    }
    return out;
  }

  private static void check(ToIntFunction<byte[]> hash, long seed, int records, int keys) throws Exception {
    HeapKeyGroups groups = new HeapKeyGroups(hash);
    Map<String, List<String>> model = fill(groups, seed, records, keys);
    assertEquals(model, groups(groups));
    List<String> arrival = new ArrayList<>();
    groups.forEachRecord((key, bytes, offset, length) ->
        arrival.add(new String(key, StandardCharsets.ISO_8859_1) + "=" + new String(bytes, offset, length, StandardCharsets.ISO_8859_1)));
    assertEquals(records, arrival.size());
    Map<String, List<String>> regrouped = new LinkedHashMap<>();
    for (String record : arrival) {
      int eq = record.indexOf('=');
      regrouped.computeIfAbsent(record.substring(0, eq), k -> new ArrayList<>()).add(record.substring(eq + 1));
    }
    assertEquals(model, regrouped);
  }

  @Test
  void groupsEveryKeysValuesInArrivalOrder() throws Exception {
    for (long seed = 0; seed < 5; seed++) {
      check(io.sluice.execution.state.ByteKey::hashOf, seed, 3000, 200);
    }
  }

  @Test
  void keysWhoseHashesCollideStayApart() throws Exception {
    // A hash of the key's length: every key of one length collides with the others.
    check(key -> key.length, 11, 3000, 500);
    check(key -> 0, 12, 500, 40);
  }

  @Test
  void anEmptyInputHasNoGroupsAndClearingForgetsEverything() throws Exception {
    HeapKeyGroups groups = new HeapKeyGroups();
    assertEquals(Map.of(), groups(groups));
    fill(groups, 3, 100, 10);
    assertTrue(groups.heapBytes() > 0);
    groups.clear();
    assertEquals(0, groups.heapBytes());
    assertEquals(Map.of(), groups(groups));
  }
}

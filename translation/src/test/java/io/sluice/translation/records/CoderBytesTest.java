package io.sluice.translation.records;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

class CoderBytesTest {

  private static final Coder<KV<String, Iterable<byte[]>>> NESTED =
      KvCoder.of(StringUtf8Coder.of(), IterableCoder.of(ByteArrayCoder.of()));

  /** Values of every size class, so that one encoder's buffer grows and is then reused for small values. */
  private static List<KV<String, Iterable<byte[]>>> values() {
    Random random = new Random(7);
    List<KV<String, Iterable<byte[]>>> out = new ArrayList<>();
    for (int size : new int[] {0, 1, 63, 64, 65, 1000, 100_000, 3, 0, 5000}) {
      byte[] bytes = new byte[size];
      random.nextBytes(bytes);
      out.add(KV.of("k" + size, List.of(bytes, Arrays.copyOf(bytes, size / 2))));
    }
    return out;
  }

  @Test
  void encodesAsBeamDoesAndEachResultOutlivesTheNextCall() throws Exception {
    CoderBytes encoder = new CoderBytes();
    List<byte[]> results = new ArrayList<>();
    for (KV<String, Iterable<byte[]>> value : values()) {
      results.add(encoder.encode(NESTED, value));
    }
    List<KV<String, Iterable<byte[]>>> values = values();
    for (int i = 0; i < values.size(); i++) {
      assertArrayEquals(CoderUtils.encodeToByteArray(NESTED, values.get(i)), results.get(i), "value " + i);
    }
    // Outer context: a top-level string or array carries no length, as in Beam's encoding.
    assertArrayEquals(new byte[] {'a', 'b', 'c'}, encoder.encode(StringUtf8Coder.of(), "abc"));
    assertArrayEquals(new byte[] {1, 2}, encoder.encode(ByteArrayCoder.of(), new byte[] {1, 2}));
    for (long n : new long[] {0, 1, 127, 128, -1, Long.MAX_VALUE, Long.MIN_VALUE}) {
      assertArrayEquals(CoderUtils.encodeToByteArray(VarLongCoder.of(), n), encoder.encode(VarLongCoder.of(), n));
    }
  }

  @Test
  void decodesWholeArraysAndSlicesAsBeamDoes() throws Exception {
    CoderBytes encoder = new CoderBytes();
    for (KV<String, Iterable<byte[]>> value : values()) {
      byte[] encoded = encoder.encode(NESTED, value);
      KV<String, Iterable<byte[]>> decoded = CoderBytes.decode(NESTED, encoded);
      assertEquals(value.getKey(), decoded.getKey());
      List<byte[]> want = new ArrayList<>();
      value.getValue().forEach(want::add);
      List<byte[]> got = new ArrayList<>();
      decoded.getValue().forEach(got::add);
      assertEquals(want.size(), got.size());
      for (int i = 0; i < want.size(); i++) {
        assertArrayEquals(want.get(i), got.get(i));
      }
      byte[] framed = new byte[encoded.length + 7];
      System.arraycopy(encoded, 0, framed, 3, encoded.length);
      assertEquals(value.getKey(), CoderBytes.decode(NESTED, framed, 3, encoded.length).getKey());
    }
    // A whole-array coder reads to the end of the slice, not of the array.
    byte[] framed = {9, 1, 2, 3, 9};
    assertArrayEquals(new byte[] {1, 2, 3}, CoderBytes.decode(ByteArrayCoder.of(), framed, 1, 3));
    assertArrayEquals(new byte[0], CoderBytes.decode(ByteArrayCoder.of(), framed, 5, 0));
  }

  @Test
  void bytesLeftOverOrMissingAreErrors() throws Exception {
    byte[] two = CoderUtils.encodeToByteArray(VarLongCoder.of(), 300L);
    byte[] extra = Arrays.copyOf(two, two.length + 1);
    CoderException left = assertThrows(CoderException.class, () -> CoderBytes.decode(VarLongCoder.of(), extra));
    assertEquals(true, left.getMessage().contains("1 unexpected extra bytes"), left.getMessage());
    byte[] cut = Arrays.copyOf(two, 1);
    assertThrows(CoderException.class, () -> CoderBytes.decode(VarLongCoder.of(), cut));
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void windowedValuesCrossTheGroupingCodecUnchanged() throws Exception {
    IntervalWindow window = new IntervalWindow(new Instant(0), new Instant(10));
    WindowedValue<KV<Long, String>> element =
        WindowedValues.of(KV.of(3L, "three"), new Instant(5), window, PaneInfo.NO_FIRING);
    WindowedValueCodec.Grouping<String> codec = WindowedValueCodec.forGrouping(StringUtf8Coder.of(),
        WindowingStrategy.of(FixedWindows.of(Duration.millis(10))));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {7, 7});
    ((WindowedValueCodec) codec).encode(element, out);
    byte[] bytes = out.toByteArray();
    WindowedValue<String> back = codec.decode(bytes, 2, bytes.length - 2);
    assertEquals("three", back.getValue());
    assertEquals(new Instant(5), back.getTimestamp());
    assertEquals(List.of(window), new ArrayList<>(back.getWindows()));
    assertEquals(List.of(window), new ArrayList<>(codec.windows(bytes, 2, bytes.length - 2)));
  }
}

package io.sluice.execution.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frames survive the trip through bytes, and malformed bytes are refused with a reason. */
class FrameCodecTest {

  private static Frame roundTrip(Frame frame) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    FrameCodec.write(frame, new DataOutputStream(bytes));
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
    Frame read = FrameCodec.read(in);
    assertEquals(-1, in.read(), "the frame is read exactly");
    return read;
  }

  @Test
  void recordsKeepTheirEdgesSerialization() throws IOException {
    RecordSerializer serializer = JavaRecordSerializer.INSTANCE;
    RecordPage page = new RecordPage(64);
    List<Object> records = List.of("a", 42, List.of(1, 2, 3), "ü".repeat(1000));
    for (Object r : records) {
      page.append(r, serializer);
    }
    Frame read = roundTrip(Frame.records(page.bytes(), page.size(), page.count()));
    assertEquals(Frame.Kind.RECORDS, read.kind());
    assertEquals(records.size(), read.count());
    List<Object> decoded = new ArrayList<>();
    RecordPage.Reader reader = new RecordPage.Reader(read.page(), read.size());
    while (reader.hasNext()) {
      decoded.add(reader.next(serializer));
    }
    assertEquals(records, decoded);
  }

  @Test
  void controlFramesKeepTheirKindAndValue() throws IOException {
    for (Frame f : List.of(Frame.watermark(Long.MIN_VALUE), Frame.watermark(17), Frame.processingTime(123_456_789L),
        Frame.barrier(5), Frame.settled(1_700_000_000_000L), Frame.end())) {
      Frame read = roundTrip(f);
      assertEquals(f.kind(), read.kind());
      assertEquals(f.value(), read.value());
    }
  }

  @Test
  void malformedFramesAreRefused() {
    IOException tag = assertThrows(IOException.class,
        () -> FrameCodec.read(new DataInputStream(new ByteArrayInputStream(new byte[] {99}))));
    assertTrue(tag.getMessage().contains("99"), tag.getMessage());
    byte[] negative = {Frame.Kind.RECORDS.tag(), 0, 0, 0, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
    IOException size = assertThrows(IOException.class,
        () -> FrameCodec.read(new DataInputStream(new ByteArrayInputStream(negative))));
    assertTrue(size.getMessage().contains("malformed"), size.getMessage());
    assertThrows(IOException.class, () -> FrameCodec.read(new DataInputStream(
        new ByteArrayInputStream(new byte[] {Frame.Kind.WATERMARK.tag(), 1, 2}))), "a truncated frame");
  }
}

package io.sluice.execution.channel;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Frames as bytes, for a transport between processes: a one-byte kind tag, then for records their
 * count, their page's length and the page as the edge's {@link RecordSerializer} wrote it (records
 * are never re-encoded on the way), for the other kinds their long value. END has no body.
 */
public final class FrameCodec {

  /** Larger pages are refused on read: a corrupt or hostile length must not allocate at will. */
  public static final int MAX_PAGE_BYTES = 1 << 30;

  private FrameCodec() {}

  public static void write(Frame frame, DataOutput out) throws IOException {
    out.writeByte(frame.kind().tag());
    switch (frame.kind()) {
      case RECORDS:
        out.writeInt(frame.count());
        out.writeInt(frame.size());
        out.write(frame.page(), 0, frame.size());
        break;
      case WATERMARK:
      case PROCESSING_TIME:
      case BARRIER:
      case SETTLED:
        out.writeLong(frame.value());
        break;
      case END:
        break;
      default:
        throw new IllegalStateException("unknown frame kind " + frame.kind());
    }
  }

  /** Reads one frame; a malformed one fails with an IOException that says what was wrong. */
  public static Frame read(DataInput in) throws IOException {
    Frame.Kind kind;
    try {
      kind = Frame.Kind.ofTag(in.readByte());
    } catch (IllegalArgumentException e) {
      throw new IOException("malformed frame: " + e.getMessage(), e);
    }
    switch (kind) {
      case RECORDS:
        int count = in.readInt();
        int size = in.readInt();
        if (count < 0 || size < 0 || size > MAX_PAGE_BYTES) {
          throw new IOException("malformed records frame: " + count + " records in " + size + " bytes");
        }
        byte[] page = new byte[size];
        in.readFully(page);
        return Frame.records(page, size, count);
      case WATERMARK:
        return Frame.watermark(in.readLong());
      case PROCESSING_TIME:
        return Frame.processingTime(in.readLong());
      case BARRIER:
        return Frame.barrier(in.readLong());
      case SETTLED:
        return Frame.settled(in.readLong());
      case END:
        return Frame.end();
      default:
        throw new IOException("unknown frame kind " + kind);
    }
  }
}

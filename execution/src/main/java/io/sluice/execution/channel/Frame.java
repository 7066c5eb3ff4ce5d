package io.sluice.execution.channel;

/**
 * The unit a channel carries, in order: a page of serialized records, a watermark, an in-band
 * processing time, the end of the sender's stream, a checkpoint barrier, or the time the sender
 * was last settled. A channel joins one
 * sending subtask to one receiving subtask, so a frame needs no address; {@link FrameCodec} turns
 * it into bytes for a transport that leaves the process.
 *
 * <p>Control frames hold no per-channel data and may be shared by every channel they are sent on.
 */
public final class Frame {

  /** What a frame carries. Each kind's number is its tag on the wire: never reuse or renumber. */
  public enum Kind {
    RECORDS(1),
    WATERMARK(2),
    /** Processing time when it is driven by the data (a test stream), not by the wall clock. */
    PROCESSING_TIME(3),
    END(4),
    /** Marks the point in the stream that belongs to checkpoint {@link Frame#value()}. */
    BARRIER(5),
    /**
     * The sender was settled at clock reading {@link Frame#value()}: everything it had received by
     * then was handled and what it caused is ahead of this frame. Sent only where the consumer cannot
     * look at the sender's gate, over a channel that leaves the process: synchronized processing
     * time there goes no further than this.
     */
    SETTLED(6);

    private final byte tag;

    Kind(int tag) {
      this.tag = (byte) tag;
    }

    public byte tag() {
      return tag;
    }

    public static Kind ofTag(byte tag) {
      for (Kind kind : values()) {
        if (kind.tag == tag) {
          return kind;
        }
      }
      throw new IllegalArgumentException("unknown frame tag " + tag);
    }
  }

  private static final Frame END = new Frame(Kind.END, null, 0, 0, 0);

  private final Kind kind;
  private final byte[] page;
  private final int size;
  private final int count;
  private final long value;

  private Frame(Kind kind, byte[] page, int size, int count, long value) {
    this.kind = kind;
    this.page = page;
    this.size = size;
    this.count = count;
    this.value = value;
  }

  /** {@code count} records serialized into {@code page[0, size)} as a {@link RecordPage} lays them out. */
  public static Frame records(byte[] page, int size, int count) {
    return new Frame(Kind.RECORDS, page, size, count, 0);
  }

  public static Frame watermark(long watermark) {
    return new Frame(Kind.WATERMARK, null, 0, 0, watermark);
  }

  public static Frame processingTime(long time) {
    return new Frame(Kind.PROCESSING_TIME, null, 0, 0, time);
  }

  public static Frame end() {
    return END;
  }

  public static Frame barrier(long checkpointId) {
    return new Frame(Kind.BARRIER, null, 0, 0, checkpointId);
  }

  public static Frame settled(long time) {
    return new Frame(Kind.SETTLED, null, 0, 0, time);
  }

  public Kind kind() {
    return kind;
  }

  /** The serialized records of a RECORDS frame; only the first {@link #size()} bytes are meaningful. */
  public byte[] page() {
    return page;
  }

  public int size() {
    return size;
  }

  public int count() {
    return count;
  }

  /** The time of a WATERMARK, PROCESSING_TIME or SETTLED frame, the checkpoint id of a BARRIER. */
  public long value() {
    return value;
  }

  @Override
  public String toString() {
    return kind == Kind.RECORDS ? "RECORDS(" + count + " in " + size + " bytes)"
        : kind == Kind.END ? "END" : kind + "(" + value + ")";
  }
}

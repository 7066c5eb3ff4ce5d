package io.sluice.execution.channel;

/**
 * The unit a channel carries, in order: a page of serialized records, a watermark, an in-band processing
 * time, or the end of the sender's stream (later also checkpoint barriers). A frame names its channel (the index of the
 * edge among the consumer vertex's incoming edges) and the sending subtask, so that frames of many
 * channels can share one queue, in memory or over a network connection.
 */
public final class Frame {

  /** What a frame carries. */
  public enum Kind {
    RECORDS,
    WATERMARK,
    /** Processing time when it is driven by the data (a test stream), not by the wall clock. */
    PROCESSING_TIME,
    END
  }

  private final Kind kind;
  private final int channel;
  private final int sender;
  private final byte[] page;
  private final int size;
  private final int count;
  private final long watermark;

  private Frame(Kind kind, int channel, int sender, byte[] page, int size, int count, long watermark) {
    this.kind = kind;
    this.channel = channel;
    this.sender = sender;
    this.page = page;
    this.size = size;
    this.count = count;
    this.watermark = watermark;
  }

  /** Records serialized into {@code page[0, size)} as a {@link RecordPage} lays them out. */
  public static Frame records(int channel, int sender, byte[] page, int size, int count) {
    return new Frame(Kind.RECORDS, channel, sender, page, size, count, 0);
  }

  public static Frame watermark(int channel, int sender, long watermark) {
    return new Frame(Kind.WATERMARK, channel, sender, null, 0, 0, watermark);
  }

  public static Frame processingTime(int channel, int sender, long time) {
    return new Frame(Kind.PROCESSING_TIME, channel, sender, null, 0, 0, time);
  }

  public static Frame end(int channel, int sender) {
    return new Frame(Kind.END, channel, sender, null, 0, 0, 0);
  }

  public Kind kind() {
    return kind;
  }

  public int channel() {
    return channel;
  }

  public int sender() {
    return sender;
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

  /** The time of a WATERMARK or PROCESSING_TIME frame. */
  public long watermark() {
    return watermark;
  }
}

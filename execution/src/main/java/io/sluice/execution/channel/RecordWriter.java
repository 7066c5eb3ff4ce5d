package io.sluice.execution.channel;

import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.state.KeyGroups;
import java.io.IOException;
import java.util.Arrays;

/**
 * The producing end of one edge in one subtask: partitions records over the edge's channels (one
 * per consumer subtask), serializes them with the edge's serializer and gathers them into pages,
 * so that the cost of a hand-off is paid per page, not per record. A page goes out when it holds
 * {@code batchSize} records or {@link #PAGE_BYTES} bytes.
 *
 * <p>A hash edge sends a key to the subtask that owns its key group, the mapping keyed state uses
 * too: state restored at another parallelism meets its keys again.
 */
public final class RecordWriter {

  private final String edge;
  private final int sender;
  private final ChannelSender[] targets;
  private final KeyGroups keyGroups;
  private final Partitioning.Kind kind;
  private final Partitioning.KeyHash keyHash;
  /** Bytes after which a page is sent, however few records it holds. */
  static final int PAGE_BYTES = 32 * 1024;

  private final int batchSize;
  private final RecordSerializer serializer;
  /** The page being filled for each consumer subtask; null until its first record. */
  private final RecordPage[] pages;
  private int nextRoundRobin;
  /** Records sent so far: derived, written by the producer's thread, read by progress reports. */
  private volatile long recordsOut;
  /** The last watermark sent, or Long.MIN_VALUE: derived, like {@link #recordsOut}. */
  private volatile long lastWatermark = Long.MIN_VALUE;
  /** Whether a consumer is in another process (see {@link #settled}): fixed at wiring. */
  private final boolean marksSettled;

  /**
   * @param edge names the edge in error messages
   * @param sender the producing subtask's index
   * @param targets the channels to the consumer's subtasks, by subtask index
   */
  public RecordWriter(String edge, int sender, ChannelSender[] targets, Partitioning partitioning,
      RecordSerializer serializer, int batchSize, KeyGroups keyGroups) {
    this.edge = edge;
    this.sender = sender;
    this.targets = targets;
    this.keyGroups = keyGroups;
    this.kind = partitioning.kind();
    this.keyHash = kind == Partitioning.Kind.HASH ? partitioning.keyHash() : null;
    this.serializer = serializer;
    this.batchSize = batchSize;
    this.pages = new RecordPage[targets.length];
    this.nextRoundRobin = sender % targets.length;
    this.marksSettled = Arrays.stream(targets).anyMatch(ChannelSender::carriesSettledMarks);
  }

  /** Whether some consumer is in another process and takes {@link #settled} marks. */
  public boolean marksSettled() {
    return marksSettled;
  }

  /** Whether every channel could take a frame now: a full page then goes out without blocking. */
  public boolean hasRoom() {
    for (ChannelSender target : targets) {
      if (!target.hasRoom()) {
        return false;
      }
    }
    return true;
  }

  public void write(Object record) throws InterruptedException {
    switch (kind) {
      case FORWARD:
        append(sender % targets.length, record);
        break;
      case HASH:
        append(keyGroups.subtaskOf(keyGroups.ofHash(keyHash.of(record)), targets.length), record);
        break;
      case ROUND_ROBIN:
        append(nextRoundRobin, record);
        nextRoundRobin = nextRoundRobin + 1 == targets.length ? 0 : nextRoundRobin + 1;
        break;
      case ALL_TO_ONE:
        append(0, record);
        break;
      case BROADCAST:
        broadcast(record);
        break;
      default:
        throw new IllegalStateException("unknown partitioning " + kind);
    }
  }

  private void append(int target, Object record) throws InterruptedException {
    RecordPage page = page(target);
    serialize(record, page);
    if (isFull(page)) {
      flush(target);
    }
  }

  /** Serializes once into the first consumer's page and copies the bytes to the others. */
  private void broadcast(Object record) throws InterruptedException {
    RecordPage first = page(0);
    int start = first.size();
    serialize(record, first);
    int framedLength = first.size() - start;
    for (int t = 1; t < targets.length; t++) {
      page(t).appendRecord(first.bytes(), start, framedLength);
    }
    for (int t = 0; t < targets.length; t++) {
      if (isFull(pages[t])) {
        flush(t);
      }
    }
  }

  private RecordPage page(int target) {
    RecordPage page = pages[target];
    if (page == null) {
      page = new RecordPage(Math.min(PAGE_BYTES, 1024));
      pages[target] = page;
    }
    return page;
  }

  private void serialize(Object record, RecordPage page) {
    try {
      page.append(record, serializer);
    } catch (IOException | RuntimeException e) {
      throw new RecordSerializationException("cannot serialize a record for edge " + edge + ": " + e, e);
    }
  }

  private boolean isFull(RecordPage page) {
    return page.count() == batchSize || page.size() >= PAGE_BYTES;
  }

  private void flush(int target) throws InterruptedException {
    RecordPage page = pages[target];
    if (page == null || page.count() == 0) {
      return;
    }
    // The consumer owns the page once sent; the next record starts a fresh one.
    pages[target] = null;
    targets[target].send(Frame.records(page.bytes(), page.size(), page.count()));
    recordsOut += page.count();
  }

  /** Records sent on so far, for progress reports. */
  public long recordsOut() {
    return recordsOut;
  }

  /** The last watermark sent on, or Long.MIN_VALUE, for progress reports. */
  public long lastWatermark() {
    return lastWatermark;
  }

  /** Sends every buffered record now (before the producer waits, and before control frames). */
  public void flush() throws InterruptedException {
    for (int t = 0; t < targets.length; t++) {
      flush(t);
    }
  }

  /** Watermarks go to every consumer subtask, after the records that precede them. */
  public void watermark(long watermark) throws InterruptedException {
    flush();
    toEveryTarget(Frame.watermark(watermark));
    lastWatermark = watermark;
  }

  /** In-band processing time, like a watermark, follows the records that precede it. */
  public void processingTime(long time) throws InterruptedException {
    flush();
    toEveryTarget(Frame.processingTime(time));
  }

  /** A checkpoint barrier goes to every consumer subtask, after the records that precede it. */
  public void barrier(long checkpointId) throws InterruptedException {
    flush();
    toEveryTarget(Frame.barrier(checkpointId));
  }

  /**
   * Tells the consumers in other processes that this producer was settled at clock reading
   * {@code time}, after what it buffered for them. A channel without room is passed over: the
   * producer is behind there anyway, and a later mark says the same with a later time.
   */
  public void settled(long time) throws InterruptedException {
    if (!marksSettled) {
      return;
    }
    for (int t = 0; t < targets.length; t++) {
      ChannelSender target = targets[t];
      if (target.carriesSettledMarks() && target.hasRoom()) {
        flush(t);
        if (target.hasRoom()) {
          target.send(Frame.settled(time));
        }
      }
    }
  }

  /** Ends this producer's stream on every consumer subtask. */
  public void end() throws InterruptedException {
    flush();
    toEveryTarget(Frame.end());
  }

  /** Every consumer counts the frame pending before the first receives it (see {@link ChannelSender#reserve}). */
  private void toEveryTarget(Frame frame) throws InterruptedException {
    for (ChannelSender target : targets) {
      target.reserve();
    }
    for (ChannelSender target : targets) {
      target.sendReserved(frame);
    }
  }
}

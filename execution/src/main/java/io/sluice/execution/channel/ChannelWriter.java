package io.sluice.execution.channel;

import io.sluice.execution.graph.Partitioning;
import java.util.function.ToIntFunction;

/**
 * The producing end of one edge in one subtask: partitions records over the consumer subtasks and
 * batches them into frames, so that the cost of a queue hand-off is paid per batch, not per record.
 */
public final class ChannelWriter {

  private final int channel;
  private final int sender;
  private final InputQueue[] targets;
  private final Partitioning.Kind kind;
  private final ToIntFunction<Object> keyHash;
  private final int batchSize;
  private final Object[][] buffers;
  private final int[] counts;
  private int nextRoundRobin;

  /**
   * @param channel the edge's index among its consumer vertex's incoming edges
   * @param sender the producing subtask's index
   * @param targets the input queues of the consumer's subtasks, by subtask index
   */
  public ChannelWriter(int channel, int sender, InputQueue[] targets, Partitioning partitioning, int batchSize) {
    this.channel = channel;
    this.sender = sender;
    this.targets = targets;
    this.kind = partitioning.kind();
    this.keyHash = kind == Partitioning.Kind.HASH ? partitioning.keyHash() : null;
    this.batchSize = batchSize;
    this.buffers = new Object[targets.length][];
    this.counts = new int[targets.length];
    this.nextRoundRobin = sender % targets.length;
  }

  public void write(Object record) throws InterruptedException {
    switch (kind) {
      case FORWARD:
        append(sender % targets.length, record);
        break;
      case HASH:
        append(Math.floorMod(keyHash.applyAsInt(record), targets.length), record);
        break;
      case ROUND_ROBIN:
        append(nextRoundRobin, record);
        nextRoundRobin = nextRoundRobin + 1 == targets.length ? 0 : nextRoundRobin + 1;
        break;
      case ALL_TO_ONE:
        append(0, record);
        break;
      case BROADCAST:
        for (int t = 0; t < targets.length; t++) {
          append(t, record);
        }
        break;
      default:
        throw new IllegalStateException("unknown partitioning " + kind);
    }
  }

  private void append(int target, Object record) throws InterruptedException {
    Object[] buffer = buffers[target];
    if (buffer == null) {
      buffer = new Object[batchSize];
      buffers[target] = buffer;
    }
    buffer[counts[target]++] = record;
    if (counts[target] == batchSize) {
      flush(target);
    }
  }

  private void flush(int target) throws InterruptedException {
    int count = counts[target];
    if (count == 0) {
      return;
    }
    // The consumer owns the array once sent; a fresh one is allocated for the next batch.
    Object[] batch = buffers[target];
    buffers[target] = null;
    counts[target] = 0;
    targets[target].put(Frame.records(channel, sender, batch, count));
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
    for (int t = 0; t < targets.length; t++) {
      targets[t].put(Frame.watermark(channel, sender, watermark));
    }
  }

  /** In-band processing time, like a watermark, follows the records that precede it. */
  public void processingTime(long time) throws InterruptedException {
    flush();
    for (int t = 0; t < targets.length; t++) {
      targets[t].put(Frame.processingTime(channel, sender, time));
    }
  }

  /** Ends this producer's stream on every consumer subtask. */
  public void end() throws InterruptedException {
    flush();
    for (int t = 0; t < targets.length; t++) {
      targets[t].put(Frame.end(channel, sender));
    }
  }
}

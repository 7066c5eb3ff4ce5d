package io.sluice.execution.channel;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bounded inbox of one subtask, shared by all its incoming channels. Bounded in frames, so a
 * slow consumer blocks its producers (backpressure) instead of buffering without limit. One queue
 * per subtask means the consumer never waits on one channel while another is full.
 *
 * <p>It also counts the frames that are pending: put (or reserved) and not yet handled by the
 * consumer with all they caused sent on. Zero means the subtask has settled: it has passed on
 * everything it received.
 */
public final class InputQueue {

  private final BlockingQueue<Frame> frames;
  /** Frames reserved or put and not yet reported handled: derived, lives as long as the queue. */
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong jobInFlight;

  public InputQueue(int capacityInFrames) {
    this(capacityInFrames, null);
  }

  /**
   * @param jobInFlight if not null, counts every frame pending here as well, so that zero over a
   *     job's shared counter means the whole job is quiescent
   */
  public InputQueue(int capacityInFrames, AtomicLong jobInFlight) {
    this.frames = new ArrayBlockingQueue<>(capacityInFrames);
    this.jobInFlight = jobInFlight;
  }

  /**
   * Counts a frame that will be put with {@link #putReserved}: a producer that sends one frame to
   * several consumers reserves them all first, so that none looks settled while another already
   * has the frame.
   */
  public void reserve() {
    pending.incrementAndGet();
    if (jobInFlight != null) {
      jobInFlight.incrementAndGet();
    }
  }

  /** Blocks while the queue is full; interrupting the caller (job cancellation) ends the wait. */
  public void put(Frame frame) throws InterruptedException {
    reserve();
    frames.put(frame);
  }

  public void putReserved(Frame frame) throws InterruptedException {
    frames.put(frame);
  }

  /** The consumer handled {@code count} frames and sent on everything they caused. */
  public void handled(int count) {
    pending.addAndGet(-count);
    if (jobInFlight != null) {
      jobInFlight.addAndGet(-count);
    }
  }

  /** True when every frame put here was handled and what it caused sent on. */
  public boolean isSettled() {
    return pending.get() == 0;
  }

  public Frame poll() {
    return frames.poll();
  }

  public Frame poll(long timeout, TimeUnit unit) throws InterruptedException {
    return frames.poll(timeout, unit);
  }

  public int size() {
    return frames.size();
  }
}

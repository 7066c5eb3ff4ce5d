package io.sluice.execution.channel;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bounded inbox of one subtask, shared by all its incoming channels. Bounded in frames, so a
 * slow consumer blocks its producers (backpressure) instead of buffering without limit. One queue
 * per subtask means the consumer never waits on one channel while another is full.
 */
public final class InputQueue {

  private final BlockingQueue<Frame> frames;
  private final AtomicLong inFlight;

  public InputQueue(int capacityInFrames) {
    this(capacityInFrames, null);
  }

  /**
   * @param inFlight if not null, counts every frame put here; the consumer counts it down once it
   *     has handled the frame and passed on all it caused, so zero means the job is quiescent
   */
  public InputQueue(int capacityInFrames, AtomicLong inFlight) {
    this.frames = new ArrayBlockingQueue<>(capacityInFrames);
    this.inFlight = inFlight;
  }

  /** Blocks while the queue is full; interrupting the caller (job cancellation) ends the wait. */
  public void put(Frame frame) throws InterruptedException {
    if (inFlight != null) {
      inFlight.incrementAndGet();
    }
    frames.put(frame);
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

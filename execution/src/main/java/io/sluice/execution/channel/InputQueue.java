package io.sluice.execution.channel;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The bounded inbox of one subtask, shared by all its incoming channels. Bounded in frames, so a
 * slow consumer blocks its producers (backpressure) instead of buffering without limit. One queue
 * per subtask means the consumer never waits on one channel while another is full.
 */
public final class InputQueue {

  private final BlockingQueue<Frame> frames;

  public InputQueue(int capacityInFrames) {
    this.frames = new ArrayBlockingQueue<>(capacityInFrames);
  }

  /** Blocks while the queue is full; interrupting the caller (job cancellation) ends the wait. */
  public void put(Frame frame) throws InterruptedException {
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

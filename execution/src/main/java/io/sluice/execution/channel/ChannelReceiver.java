package io.sluice.execution.channel;

/**
 * The receiving end of one channel, read by the consumer's thread through its {@link InputGate}.
 * An implementation calls {@link InputGate#frameArrived()} after each frame it makes readable, and
 * counts frames with {@link InputGate#reserve(int)} when they are sent.
 */
public interface ChannelReceiver {

  /** The next frame, or null if none has arrived; never blocks. */
  Frame poll();

  /** The frame {@link #poll} would return next, left in place; null if none has arrived. */
  Frame peek();

  /** True if {@link #poll} would return a frame. */
  boolean hasFrame();

  /** Whether the producer is in another process and marks when it was settled (see {@link ChannelSender#carriesSettledMarks}). */
  default boolean carriesSettledMarks() {
    return false;
  }
}

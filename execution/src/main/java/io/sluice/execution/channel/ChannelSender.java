package io.sluice.execution.channel;

/**
 * The sending end of one channel: from one producing subtask to one consuming subtask, in order.
 * Bounded: a send blocks while the channel is full (backpressure), and an interrupt (the job being
 * stopped) ends the wait. Used by the producer's thread only.
 */
public interface ChannelSender {

  /** Counts a frame as pending at the receiver, then sends it. */
  void send(Frame frame) throws InterruptedException;

  /**
   * Counts a frame as pending at the receiver before it is sent with {@link #sendReserved}: a
   * producer that sends one frame over several channels reserves them all first, so that no
   * receiver looks settled while another already holds the frame.
   */
  void reserve();

  /** Sends a frame already counted by {@link #reserve}. */
  void sendReserved(Frame frame) throws InterruptedException;

  /** Whether a frame sent now would not block. */
  boolean hasRoom();

  /**
   * Whether the consumer is in another process, where it cannot look at this producer's gate: the
   * producer then tells it in band when it was last settled ({@link Frame#settled}).
   */
  default boolean carriesSettledMarks() {
    return false;
  }
}

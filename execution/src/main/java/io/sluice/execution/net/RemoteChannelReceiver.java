package io.sluice.execution.net;

import io.sluice.execution.channel.ChannelReceiver;
import io.sluice.execution.channel.Frame;
import io.sluice.execution.channel.InputGate;
import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The receiving end of a channel whose producer is in another process. Frames arrive on the
 * connection's event loop and wait here for the consumer; it returns credit as it takes them, half
 * the capacity at a time, so a flowing channel costs one credit message per several frames.
 */
final class RemoteChannelReceiver implements ChannelReceiver {

  private final ChannelMux mux;
  private final long id;
  private final InputGate gate;
  /** Arrived, not yet taken: at most the capacity, as the credit allows. */
  private final ConcurrentLinkedQueue<Frame> frames = new ConcurrentLinkedQueue<>();
  /** Credit granted and not yet used by an arrival: derived, shared by the event loop and the consumer. */
  private final AtomicInteger outstanding;
  /** Frames taken since credit was last returned: owned by the consumer. */
  private int taken;
  private final int returnEvery;

  RemoteChannelReceiver(ChannelMux mux, long id, InputGate gate, int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a channel holds at least one frame: " + capacity);
    }
    this.mux = mux;
    this.id = id;
    this.gate = gate;
    this.outstanding = new AtomicInteger(capacity);
    this.returnEvery = Math.max(1, capacity / 2);
  }

  /** On the event loop: a frame the sender had credit for. */
  void arrived(Frame frame) throws IOException {
    if (outstanding.getAndDecrement() <= 0) {
      outstanding.incrementAndGet();
      throw new IOException("channel " + id + ": a frame beyond the credit granted");
    }
    gate.reserve(1);
    frames.add(frame);
    gate.frameArrived();
  }

  @Override
  public Frame poll() {
    Frame frame = frames.poll();
    if (frame != null && ++taken >= returnEvery) {
      outstanding.addAndGet(taken);
      mux.sendCredit(id, taken);
      taken = 0;
    }
    return frame;
  }

  @Override
  public Frame peek() {
    return frames.peek();
  }

  @Override
  public boolean carriesSettledMarks() {
    return true;
  }

  @Override
  public boolean hasFrame() {
    return !frames.isEmpty();
  }
}

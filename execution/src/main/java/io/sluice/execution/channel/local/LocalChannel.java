package io.sluice.execution.channel.local;

import io.sluice.execution.channel.ChannelReceiver;
import io.sluice.execution.channel.ChannelSender;
import io.sluice.execution.channel.Frame;
import io.sluice.execution.channel.InputGate;
import java.util.concurrent.locks.LockSupport;

/**
 * A channel between two subtasks of one process: a bounded ring of frames with one producer and
 * one consumer thread and no lock. Frames are handed over by reference: a page is owned by the
 * consumer once sent, so nothing is copied.
 */
public final class LocalChannel implements ChannelSender, ChannelReceiver {

  /** How long a blocked sender sleeps before it looks again, should a wake-up go astray. */
  private static final long SENDER_PARK_NANOS = 10_000_000L;

  private final Frame[] ring;
  private final int mask;
  private final InputGate gate;
  /** Next slot to read: written by the consumer only. */
  private volatile long head;
  /** Next slot to write: written by the producer only. */
  private volatile long tail;
  /** Set while the producer waits for room: the consumer then wakes it. */
  private volatile Thread waitingSender;

  /**
   * @param capacity frames the channel holds before its sender blocks; rounded up to a power of two
   * @param gate the receiving subtask's gate, which this channel must then be connected to
   */
  public LocalChannel(int capacity, InputGate gate) {
    int size = capacity <= 1 ? 1 : Integer.highestOneBit(capacity - 1) << 1;
    this.ring = new Frame[size];
    this.mask = size - 1;
    this.gate = gate;
  }

  @Override
  public void send(Frame frame) throws InterruptedException {
    reserve();
    sendReserved(frame);
  }

  @Override
  public void reserve() {
    gate.reserve(1);
  }

  @Override
  public void sendReserved(Frame frame) throws InterruptedException {
    long t = tail;
    while (t - head >= ring.length) {
      awaitRoom(t);
    }
    ring[(int) t & mask] = frame;
    tail = t + 1;
    gate.frameArrived();
  }

  /** Both ends are in this process: the consumer looks at the producer's gate instead. */
  @Override
  public boolean carriesSettledMarks() {
    return false;
  }

  @Override
  public boolean hasRoom() {
    return tail - head < ring.length;
  }

  private void awaitRoom(long t) throws InterruptedException {
    waitingSender = Thread.currentThread();
    try {
      // Looked at again after announcing the wait: the consumer either frees a slot seen here, or
      // sees the announcement after freeing it and wakes this thread.
      if (t - head >= ring.length) {
        LockSupport.parkNanos(this, SENDER_PARK_NANOS);
      }
    } finally {
      waitingSender = null;
    }
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
  }

  @Override
  public Frame poll() {
    long h = head;
    if (h == tail) {
      return null;
    }
    int slot = (int) h & mask;
    Frame frame = ring[slot];
    ring[slot] = null;
    head = h + 1;
    Thread sender = waitingSender;
    if (sender != null) {
      LockSupport.unpark(sender);
    }
    return frame;
  }

  @Override
  public Frame peek() {
    long h = head;
    // The slot is written before tail moves past it: reading tail first makes the frame visible.
    return h == tail ? null : ring[(int) h & mask];
  }

  @Override
  public boolean hasFrame() {
    return head != tail;
  }

  /** Frames sent and not yet read. */
  public int size() {
    return (int) (tail - head);
  }
}

package io.sluice.execution.net;

import io.sluice.execution.channel.ChannelSender;
import io.sluice.execution.channel.Frame;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The sending end of a channel whose consumer is in another process: sends a frame against the
 * credit its receiver granted, and blocks while there is none (backpressure, per channel).
 */
final class RemoteChannelSender implements ChannelSender {

  /** How long a blocked sender sleeps before it looks again, should a wake-up go astray. */
  private static final long PARK_NANOS = 10_000_000L;

  private final ChannelMux mux;
  private final long id;
  /** Frames the receiver has room for: granted by the event loop, spent by the producer. */
  private final AtomicInteger credit = new AtomicInteger();
  /** Set while the producer waits for credit: a grant then wakes it. */
  private volatile Thread waiting;
  /** Set when the connection is gone: a waiting or later send then fails. */
  private volatile boolean lost;

  RemoteChannelSender(ChannelMux mux, long id) {
    this.mux = mux;
    this.id = id;
  }

  @Override
  public void send(Frame frame) throws InterruptedException {
    sendReserved(frame);
  }

  /**
   * Pending frames are counted by the receiving process's gate when they arrive: a process cannot
   * count at another's.
   */
  @Override
  public void reserve() {}

  @Override
  public void sendReserved(Frame frame) throws InterruptedException {
    while (true) {
      if (lost) {
        throw new IllegalStateException("channel " + id + ": the connection to " + mux.connection().remoteAddress() + " is lost");
      }
      int c = credit.get();
      if (c > 0 && credit.compareAndSet(c, c - 1)) {
        break;
      }
      if (c == 0) {
        awaitCredit();
      }
    }
    mux.sendFrame(id, frame);
  }

  private void awaitCredit() throws InterruptedException {
    waiting = Thread.currentThread();
    try {
      // Looked at again after announcing the wait: a grant either is seen here or sees the announcement.
      if (credit.get() == 0 && !lost) {
        LockSupport.parkNanos(this, PARK_NANOS);
      }
    } finally {
      waiting = null;
    }
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
  }

  @Override
  public boolean carriesSettledMarks() {
    return true;
  }

  @Override
  public boolean hasRoom() {
    return credit.get() > 0;
  }

  void grant(int count) {
    credit.addAndGet(count);
    wake();
  }

  void connectionLost() {
    lost = true;
    wake();
  }

  private void wake() {
    Thread t = waiting;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }
}

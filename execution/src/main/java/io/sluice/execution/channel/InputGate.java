package io.sluice.execution.channel;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * All incoming channels of one subtask, read by its thread alone. Each channel is its own bounded
 * queue, so one channel can be held back ({@link #block}) while the others flow, as barrier
 * alignment needs; a held-back channel fills up and its sender waits (backpressure), nothing
 * buffers without bound. Channels are served in turn, one frame each, so none starves another.
 *
 * <p>The gate also counts the frames that are pending: sent (or reserved) and not yet reported
 * handled by the consumer with all they caused sent on. Zero means the subtask has settled.
 */
public final class InputGate {

  private static final ChannelReceiver[] NONE = new ChannelReceiver[0];

  /** The channels by index: fixed once the job is wired, before the consumer's thread starts. */
  private ChannelReceiver[] channels = NONE;
  /** Channels held back: owned by the consumer's thread, lives as long as the gate. */
  private boolean[] blocked = new boolean[0];
  /** Where the next poll starts looking: derived, owned by the consumer's thread. */
  private int next;
  private int lastChannel = -1;

  /** Frames reserved or sent and not yet reported handled: derived, shared with the senders. */
  private final AtomicLong pending = new AtomicLong();
  /** A job-wide count of the same frames, or null (see {@link #InputGate(AtomicLong)}). */
  private final AtomicLong jobPending;

  private volatile Thread consumer;
  /** True while the consumer is about to park or parked: a sender must then wake it. */
  private volatile boolean waiting;

  public InputGate() {
    this(null);
  }

  /**
   * @param jobPending if not null, counts every frame pending here as well, so that zero over a
   *     job's shared counter means nothing is in flight anywhere (quiescence, for test streams)
   */
  public InputGate(AtomicLong jobPending) {
    this.jobPending = jobPending;
  }

  /** Adds a channel; returns its index. Only while the job is being wired. */
  public synchronized int connect(ChannelReceiver channel) {
    int index = channels.length;
    ChannelReceiver[] grown = java.util.Arrays.copyOf(channels, index + 1);
    grown[index] = channel;
    channels = grown;
    blocked = new boolean[grown.length];
    return index;
  }

  public int channelCount() {
    return channels.length;
  }

  /** Whether channel {@code c}'s producer is in another process and marks when it was settled. */
  public boolean carriesSettledMarks(int c) {
    return channels[c].carriesSettledMarks();
  }

  /**
   * The next frame of an unblocked channel, the channels taking turns; null if none is waiting.
   * {@link #lastChannel()} then tells which channel it came from.
   */
  public Frame poll() {
    ChannelReceiver[] all = channels;
    int n = all.length;
    for (int i = 0; i < n; i++) {
      int c = next + i;
      if (c >= n) {
        c -= n;
      }
      if (!blocked[c]) {
        Frame frame = all[c].poll();
        if (frame != null) {
          lastChannel = c;
          next = c + 1 == n ? 0 : c + 1;
          return frame;
        }
      }
    }
    return null;
  }

  /**
   * An unblocked channel whose next frame is a checkpoint barrier (or, if {@code orEnd}, the end of
   * its stream or a settled mark), or -1. Such a frame may be taken ahead of turn (with {@link #poll(int)}) while the
   * subtask is in the middle of long work.
   */
  public int channelWithBarrierNext(boolean orEnd) {
    ChannelReceiver[] all = channels;
    for (int c = 0; c < all.length; c++) {
      if (!blocked[c]) {
        Frame frame = all[c].peek();
        if (frame != null && (frame.kind() == Frame.Kind.BARRIER || orEnd && takesNoWork(frame))) {
          return c;
        }
      }
    }
    return -1;
  }

  /**
   * An end of stream, or a producer's settled mark: the operator does nothing for it, so it may be
   * taken ahead of turn too (a mark left in front of a barrier would hold the barrier back).
   */
  private static boolean takesNoWork(Frame frame) {
    return frame.kind() == Frame.Kind.END || frame.kind() == Frame.Kind.SETTLED;
  }

  /** The next frame of channel {@code c} alone, or null; {@link #lastChannel()} is then {@code c}. */
  public Frame poll(int c) {
    Frame frame = channels[c].poll();
    if (frame != null) {
      lastChannel = c;
    }
    return frame;
  }

  /** The channel of the frame the last {@link #poll} returned. */
  public int lastChannel() {
    return lastChannel;
  }

  /** Holds channel {@code c} back: its frames stay in it until {@link #resume}. */
  public void block(int c) {
    blocked[c] = true;
  }

  public void resume(int c) {
    blocked[c] = false;
  }

  public boolean isBlocked(int c) {
    return blocked[c];
  }

  /**
   * Waits until a frame may be readable, {@link #wakeUp} is called, the timeout passes or the
   * thread is interrupted (then throws: the job is being stopped). May return early.
   */
  public void await(long timeoutMillis) throws InterruptedException {
    consumer = Thread.currentThread();
    waiting = true;
    try {
      // Checked after announcing the wait: a frame sent since is either seen here, or its sender
      // sees the announcement and wakes this thread (both sides use volatile fields).
      if (!hasReadableFrame()) {
        LockSupport.parkNanos(this, Math.max(1, timeoutMillis) * 1_000_000L);
      }
    } finally {
      waiting = false;
    }
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
  }

  private boolean hasReadableFrame() {
    ChannelReceiver[] all = channels;
    for (int c = 0; c < all.length; c++) {
      if (!blocked[c] && all[c].hasFrame()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Waits until {@link #wakeUp} is called, the timeout passes or the thread is interrupted (then
   * throws), whatever frames are readable: for a consumer that may not read now.
   */
  public void pause(long timeoutNanos) throws InterruptedException {
    consumer = Thread.currentThread();
    LockSupport.parkNanos(this, timeoutNanos);
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
  }

  /** Called by a channel after it made a frame readable. */
  public void frameArrived() {
    if (waiting) {
      LockSupport.unpark(consumer);
    }
  }

  /** Ends a wait at once, or makes the next one return at once (new mail for the consumer). */
  public void wakeUp() {
    Thread t = consumer;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  /** Counts {@code count} frames as pending: called by senders, before the frames are readable. */
  public void reserve(int count) {
    pending.addAndGet(count);
    if (jobPending != null) {
      jobPending.addAndGet(count);
    }
  }

  /** The consumer handled {@code count} frames and sent on everything they caused. */
  public void handled(int count) {
    if (count == 0) {
      return;
    }
    pending.addAndGet(-count);
    if (jobPending != null) {
      jobPending.addAndGet(-count);
    }
  }

  /** True when every frame sent here was handled and what it caused sent on. */
  public boolean isSettled() {
    return pending.get() == 0;
  }
}

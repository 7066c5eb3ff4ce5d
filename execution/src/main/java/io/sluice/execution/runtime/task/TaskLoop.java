package io.sluice.execution.runtime.task;

import io.sluice.execution.channel.Frame;
import io.sluice.execution.channel.InputGate;
import io.sluice.execution.channel.RecordPage;
import io.sluice.execution.channel.RecordSerializationException;
import io.sluice.execution.operator.SourceOperator;
import io.sluice.execution.runtime.Quiescence;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The loop of a subtask's thread, until every operator has finished: run the mail, give sources a
 * turn, fire processing-time callbacks that are due, hand the next frame of the input gate to the
 * operator it is for; when nothing is waiting, let operators end their bundles, send what the
 * writers hold, and wait for input, a callback, mail or a source's next turn, whichever is first.
 *
 * <p>An operator firing many timers at a watermark may yield between two of them when mail or a
 * checkpoint barrier waits (see {@link io.sluice.execution.operator.Operator#watermark}). Until it
 * is done the loop runs the mail, takes barriers and ends of stream that are next on their channels
 * (so a checkpoint need not wait for the timers: its snapshot holds the rest, due at the restored
 * watermark) and lets the operator go on; it reads no records, polls no source and fires no
 * callback. The same holds while an output channel is full: the loop waits for room instead of
 * blocking in a send, so mail (a checkpoint's trigger) never waits for downstream to catch up.
 */
final class TaskLoop {

  /** How long a subtask whose output is full waits before it looks for room again. */
  private static final long ROOM_POLL_NANOS = 1_000_000L;

  /** How late a processing-time callback may be before it goes ahead of queued input. */
  private static final long CALLBACK_PATIENCE_MILLIS = 100;

  /**
   * How often at most an idle subtask tells consumers in other processes that it is settled: their
   * synchronized processing time trails by about this much more.
   */
  private static final long SETTLED_MARK_MILLIS = 10;

  private final OperatorChain chain;
  private final InputGate gate;
  private final BarrierAligner barriers;

  /** The job asks for a checkpoint: see {@link BarrierAligner#triggered}. On the subtask's thread. */
  void checkpointTriggered(long checkpointId) throws Exception {
    barriers.triggered(checkpointId);
  }
  private final TaskMailbox mailbox;
  private final ProcessingTimeService time;
  /** Null unless processing time is in-band. */
  private final Quiescence quiescence;
  private final boolean inBandTime;
  /** When the feeders in other processes were last settled: kept here from their marks. */
  private final SettledMarks remoteFeeders;
  /** Whether this subtask tells consumers in other processes when it was settled: fixed. */
  private final boolean marksSettled;
  /** When it last told them: derived. */
  private long lastSettledMark;
  /** Settled since, told nothing yet: the wait ends when a mark may go. Derived. */
  private boolean markOwed;
  /** Sources still running: derived, shrinks as they finish. */
  private final List<ChainedOperator> sources = new ArrayList<>();
  /** Frames handled whose effects may still sit in the writers' pages: derived, until the next flush. */
  private int handledUnsent;
  private volatile long recordsIn;
  /** The chain's input watermark, for progress reports: derived, written at each watermark frame. */
  private volatile long inputWatermark = Long.MIN_VALUE;
  /** Time spent waiting for room downstream, for progress reports: derived. */
  private volatile long backpressuredNanos;

  TaskLoop(OperatorChain chain, InputGate gate, TaskMailbox mailbox, ProcessingTimeService time,
      Quiescence quiescence, SettledMarks remoteFeeders, BarrierAligner.Aligned checkpoint) {
    this.chain = chain;
    this.gate = gate;
    this.barriers = new BarrierAligner(gate, checkpoint);
    this.mailbox = mailbox;
    this.time = time;
    this.quiescence = quiescence;
    this.inBandTime = chain.isProcessingTimeInBand();
    this.remoteFeeders = remoteFeeders;
    // In-band time is the synchronized processing time itself: no marks.
    this.marksSettled = chain.marksSettled() && !inBandTime;
  }

  long recordsIn() {
    return recordsIn;
  }

  long inputWatermark() {
    return inputWatermark;
  }

  long backpressuredNanos() {
    return backpressuredNanos;
  }

  /**
   * True when mail or a barrier next on a channel should not wait for an operator's long work, or
   * when downstream is behind: the next timer's output would block where mail cannot be run.
   */
  boolean shouldYield() {
    return mailbox.hasMail() || gate.channelWithBarrierNext(false) >= 0 || !chain.outputsHaveRoom();
  }

  /** See {@link io.sluice.execution.operator.OperatorContext#flushOutputs}. */
  void flushOutputs() throws InterruptedException {
    chain.flush();
  }

  void run() throws Exception {
    start();
    while (!chain.isFinished()) {
      if (mailbox.hasMail()) {
        mailbox.runAll();
      }
      if (!chain.outputsHaveRoom()) {
        awaitOutputRoom();
        continue;
      }
      if (chain.hasDueWork()) {
        continueDueWork();
        continue;
      }
      boolean busy = pollSources();
      if (inBandTime && !sources.isEmpty()) {
        // A test source waits for quiescence, which counts only frames that were sent: what the
        // operators chained after it hold (an open bundle) must go out too.
        chain.idle();
        chain.flush();
      } else if (busy && settledMarkDue()) {
        // A busy source never idles: what it emitted goes out now and then, with a mark after it.
        settle();
      }
      // Input that is already here comes before callbacks that just fell due: what is queued is
      // older than the clock reading. Callbacks overdue by more than a little go first anyway.
      fireDue(CALLBACK_PATIENCE_MILLIS);
      Frame frame = gate.poll();
      if (frame == null) {
        fireDue(0);
        frame = gate.poll();
      }
      if (frame == null) {
        if (!busy) {
          // About to wait: let downstream work on what is buffered rather than sit on it.
          chain.idle();
          settle();
          gate.await(waitMillis());
        }
        continue;
      }
      handle(gate.lastChannel(), frame);
      // Counted handled once what it caused is flushed: with in-band time at once (unless timers it
      // made due are still firing), otherwise when the subtask next goes idle.
      handledUnsent++;
      if (inBandTime && !chain.hasDueWork()) {
        settleInBand();
      }
    }
    // Every operator has ended its outputs: all this subtask received has had its effects.
    gate.handled(handledUnsent);
    handledUnsent = 0;
  }

  /**
   * Sends on what the frames handled caused, then they stop counting as in flight; consumers in
   * other processes, which cannot see that, are told by a mark (not more often than every
   * {@link #SETTLED_MARK_MILLIS}).
   */
  private void settle() throws Exception {
    chain.flush();
    gate.handled(handledUnsent);
    handledUnsent = 0;
    if (marksSettled && gate.isSettled()) {
      long now = System.currentTimeMillis();
      markOwed = now - lastSettledMark < SETTLED_MARK_MILLIS;
      // No later than this subtask's own remote feeders were settled: a frame one of them sent after
      // its last mark may still be on its way here, which this gate cannot count.
      long settledAt = Math.min(now, remoteFeeders.bound());
      if (!markOwed && settledAt != Long.MIN_VALUE) {
        lastSettledMark = now;
        chain.settled(settledAt);
      }
    }
  }

  private boolean settledMarkDue() {
    return marksSettled && System.currentTimeMillis() - lastSettledMark >= SETTLED_MARK_MILLIS;
  }

  /** With in-band time, what the frames handled caused is sent on before they stop counting as in flight. */
  private void settleInBand() throws Exception {
    chain.idle();
    chain.flush();
    gate.handled(handledUnsent);
    handledUnsent = 0;
  }

  /**
   * Barriers and ends of stream next on their channels first, then a turn of the operator's due
   * work. An end goes ahead too: a checkpoint triggered after the sources finished starts once
   * every input has ended, and nothing comes after an end.
   */
  private void continueDueWork() throws Exception {
    takeBarriersAndEnds();
    chain.continueDueWork();
    if (inBandTime && !chain.hasDueWork()) {
      settleInBand();
    }
  }

  /**
   * Downstream is behind. Rather than block in a send, where no mail could run (a checkpoint's
   * trigger would wait for the backlog to drain), wait for room here, taking mail and the barriers
   * and ends next on their channels meanwhile; no records are read, no source is polled.
   */
  private void awaitOutputRoom() throws Exception {
    if (!takeBarriersAndEnds() && !mailbox.hasMail() && !chain.outputsHaveRoom()) {
      long start = System.nanoTime();
      gate.pause(ROOM_POLL_NANOS);
      backpressuredNanos += System.nanoTime() - start;
    }
  }

  /** Handles the barriers and ends of stream next on their channels; true if there were any. */
  private boolean takeBarriersAndEnds() throws Exception {
    boolean took = false;
    for (int c = gate.channelWithBarrierNext(true); c >= 0; c = gate.channelWithBarrierNext(true)) {
      handle(c, gate.poll(c));
      handledUnsent++;
      took = true;
    }
    return took;
  }

  /** Operators without feeders start now: sources are polled from here on, the others complete. */
  private void start() throws Exception {
    for (ChainedOperator op : chain.operators()) {
      if (!op.isFinished() && op.progress().allFeedersDone()) {
        if (op.isSource()) {
          sources.add(op);
        } else {
          op.complete();
        }
      }
    }
    if (quiescence != null) {
      quiescence.subtaskStarted();
    }
  }

  /** Gives every running source a turn; true if any emitted something. */
  private boolean pollSources() throws Exception {
    boolean busy = false;
    for (int k = sources.size() - 1; k >= 0; k--) {
      ChainedOperator op = sources.get(k);
      switch (((SourceOperator) op.operator()).poll()) {
        case DONE:
          sources.remove(k);
          op.complete();
          break;
        case MORE:
          busy = true;
          break;
        default:
          break;
      }
    }
    return busy;
  }

  /** Calls back the operators whose requested times are at least {@code lateness} ms past. */
  private void fireDue(long lateness) throws Exception {
    long next = time.nextDue();
    if (next == Long.MAX_VALUE) {
      return;
    }
    long now = System.currentTimeMillis();
    long upTo = now - lateness;
    if (next > upTo) {
      return;
    }
    for (ChainedOperator op = time.pollDue(upTo); op != null; op = time.pollDue(upTo)) {
      if (!op.isFinished()) {
        chain.flush();
        op.processingTimeDue(now);
      }
    }
  }

  /** How long an idle subtask may wait: until the next callback, or a source's next poll. */
  private long waitMillis() {
    long wait = sources.isEmpty() ? 100 : 5;
    long next = time.nextDue();
    if (next != Long.MAX_VALUE) {
      wait = Math.min(wait, next - System.currentTimeMillis());
    }
    if (markOwed) {
      wait = Math.min(wait, lastSettledMark + SETTLED_MARK_MILLIS - System.currentTimeMillis());
    }
    return Math.max(1, wait);
  }

  private void handle(int channel, Frame frame) throws Exception {
    OperatorChain.ChannelTarget target = chain.channelTarget(channel);
    ChainedOperator op = target.operator();
    switch (frame.kind()) {
      case RECORDS:
        RecordPage.Reader records = new RecordPage.Reader(frame.page(), frame.size());
        while (records.hasNext()) {
          Object record;
          try {
            record = records.next(target.serializer());
          } catch (IOException | RuntimeException e) {
            throw new RecordSerializationException("cannot read a record from " + target.edge() + " into "
                + op + ": " + e, e);
          }
          op.process(target.port(), record);
        }
        recordsIn += frame.count();
        break;
      case WATERMARK:
        // Time moving on may start long work (timers): what is buffered goes downstream first.
        chain.flush();
        op.advanceWatermark(target.slot(), frame.value());
        inputWatermark = chain.inputWatermark();
        break;
      case PROCESSING_TIME:
        op.advanceProcessingTime(target.slot(), frame.value());
        break;
      case END:
        // The aligner first: a checkpoint waiting for this end starts before the operator takes it,
        // since the end may start long work (the final firing) during which no mail is run. The
        // snapshot then holds everything before the end, which a restore sends again.
        barriers.ended(channel);
        remoteFeeders.ended(channel);
        op.feederDone(target.slot());
        break;
      case BARRIER:
        barriers.barrier(channel, frame.value());
        break;
      case SETTLED:
        remoteFeeders.mark(channel, frame.value());
        break;
      default:
        throw new IllegalStateException("unknown frame " + frame);
    }
  }
}

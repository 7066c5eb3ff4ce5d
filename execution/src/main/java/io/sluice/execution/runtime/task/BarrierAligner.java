package io.sluice.execution.runtime.task;

import io.sluice.execution.channel.InputGate;

/**
 * Aligns checkpoint barriers over a subtask's input channels (Chandy-Lamport, as in Carbone et al.,
 * "Lightweight Asynchronous Snapshots"): a channel that delivered the barrier of the checkpoint
 * being aligned is blocked, so that nothing after the barrier is processed before the snapshot;
 * once every channel has delivered it (or ended), the subtask snapshots its operators, forwards
 * the barrier and every channel flows again. The blocked channels fill up and hold their senders
 * back, while the others flow: alignment needs no unbounded buffer and cannot deadlock, because
 * every channel still owing the barrier is read.
 */
final class BarrierAligner {

  /** What the subtask does once a checkpoint is aligned: snapshot its operators, forward the barrier. */
  interface Aligned {
    void checkpoint(long checkpointId, long alignmentNanos) throws Exception;
  }

  private final InputGate gate;
  private final Aligned aligned;
  /** Channels that ended their stream: they owe no barrier. Derived from END frames. */
  private final boolean[] ended;
  private int endedCount;
  /** The checkpoint being aligned; -1 when none is. Derived, per checkpoint. */
  private long aligning = -1;
  /** The last checkpoint aligned, so that a late barrier of an older one is ignored. */
  private long lastAligned = -1;
  private int barriersReceived;
  /**
   * The newest checkpoint the job asked this subtask for while some input was still open: it
   * starts here once every input has ended, if no barrier of it came first. Derived.
   */
  private long pendingTrigger = -1;
  /** When the first barrier of the checkpoint being aligned arrived. Derived, per checkpoint. */
  private long alignmentStartNanos;

  BarrierAligner(InputGate gate, Aligned aligned) {
    this.gate = gate;
    this.aligned = aligned;
    this.ended = new boolean[gate.channelCount()];
  }

  /** Channel {@code channel} delivered the barrier of {@code checkpointId}. */
  void barrier(int channel, long checkpointId) throws Exception {
    if (checkpointId <= lastAligned) {
      return;
    }
    if (checkpointId > aligning) {
      if (aligning != -1) {
        // A newer barrier overtook an unfinished alignment: that checkpoint cannot complete here.
        resumeAll();
      }
      aligning = checkpointId;
      barriersReceived = 0;
      alignmentStartNanos = System.nanoTime();
    }
    gate.block(channel);
    barriersReceived++;
    completeIfAligned();
  }

  /** Channel {@code channel} ended its stream: from now on it owes no barrier. */
  void ended(int channel) throws Exception {
    // A blocked channel is not read, so a channel that ends has not delivered the barrier being aligned.
    if (!ended[channel]) {
      ended[channel] = true;
      endedCount++;
      completeIfAligned();
      if (endedCount == ended.length && pendingTrigger > lastAligned && aligning == -1) {
        start(pendingTrigger);
      }
    }
  }

  /**
   * The job asks for checkpoint {@code checkpointId}. A subtask whose inputs have all ended (or
   * that never had any) starts it: no barrier will come, since its producers have finished and
   * are recorded so. The others wait for the barriers; if their inputs all end first, they start
   * it then.
   */
  void triggered(long checkpointId) throws Exception {
    if (checkpointId <= lastAligned || checkpointId <= aligning) {
      return;
    }
    if (endedCount == ended.length && aligning == -1) {
      start(checkpointId);
    } else {
      pendingTrigger = Math.max(pendingTrigger, checkpointId);
    }
  }

  private void start(long checkpointId) throws Exception {
    lastAligned = checkpointId;
    aligned.checkpoint(checkpointId, 0);
  }

  boolean isAligning() {
    return aligning != -1;
  }

  private void completeIfAligned() throws Exception {
    if (aligning != -1 && barriersReceived + endedCount >= gate.channelCount()) {
      long checkpointId = aligning;
      aligning = -1;
      lastAligned = checkpointId;
      aligned.checkpoint(checkpointId, System.nanoTime() - alignmentStartNanos);
      resumeAll();
    }
  }

  private void resumeAll() {
    for (int c = 0; c < gate.channelCount(); c++) {
      gate.resume(c);
    }
  }
}

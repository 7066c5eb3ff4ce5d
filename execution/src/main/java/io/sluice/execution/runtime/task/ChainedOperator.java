package io.sluice.execution.runtime.task;

import java.util.ArrayDeque;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.SourceOperator;

/**
 * One operator in a subtask's chain, with what the engine keeps about it: its input progress, its
 * output, its context, and where it is in its life cycle. Time and the end of input reach the
 * operator through here, so the rules for them live in one place.
 */
final class ChainedOperator {

  private final OperatorChain chain;
  private final OperatorNode node;
  private final OperatorProgress progress;
  /** Created when the subtask opens; lives until it closes. */
  private Operator operator;
  private ChainOutput output;
  private SubtaskContext context;
  /**
   * What waits for the timers the operator left due when it yielded (the rest of a feeder's end),
   * in order. Derived; empty unless the operator yielded.
   */
  private final ArrayDeque<TaskMailbox.Mail> afterYield = new ArrayDeque<>();
  /** Inputs done, but work remains at later processing times: derived, until finished. */
  private boolean draining;
  private boolean finished;

  ChainedOperator(OperatorChain chain, OperatorNode node, OperatorProgress progress) {
    this.chain = chain;
    this.node = node;
    this.progress = progress;
  }

  void wire(ChainOutput output, SubtaskContext context) {
    this.output = output;
    this.context = context;
  }

  void open(int subtaskIndex) throws Exception {
    operator = node.factory().create(subtaskIndex);
    operator.open(context);
  }

  OperatorNode node() {
    return node;
  }

  Operator operator() {
    return operator;
  }

  OperatorProgress progress() {
    return progress;
  }

  ChainOutput output() {
    return output;
  }

  SubtaskContext context() {
    return context;
  }

  boolean isSource() {
    return operator instanceof SourceOperator;
  }

  boolean isFinished() {
    return finished;
  }

  void process(int port, Object record) throws Exception {
    operator.process(port, record);
  }

  void advanceWatermark(int slot, long watermark) throws Exception {
    if (progress.advancePortWatermark(slot, watermark)) {
      int port = progress.portOf(slot);
      operator.portWatermark(port, progress.portWatermark(port));
    }
    if (progress.advanceWatermark(slot, watermark)) {
      operator.watermark(progress.watermark());
    }
  }

  /** In-band processing time passes through every operator unchanged: no operator holds it back. */
  void advanceProcessingTime(int slot, long time) throws Exception {
    if (progress.advanceProcessingTime(slot, time)) {
      long now = progress.processingTime();
      operator.processingTime(now);
      if (now != WatermarkTracker.END_OF_TIME) {
        // The end of time travels with the end of the stream instead.
        output.forwardProcessingTime(now);
      }
    }
  }

  /** A processing-time callback the operator asked for is due. */
  void processingTimeDue(long now) throws Exception {
    operator.processingTime(now);
    if (draining && !operator.hasPendingWork()) {
      finish();
    }
  }

  /**
   * True while the operator has timers left due from a watermark (it yielded) or work waiting for
   * them: the subtask reads no input until they are done.
   */
  boolean hasDueWork() {
    return !finished && operator != null && (operator.yielded() || !afterYield.isEmpty());
  }

  /** Goes on firing the timers left due, then does what waited for them, unless it yields again. */
  void continueDueWork() throws Exception {
    if (operator.yielded()) {
      operator.watermark(progress.watermark());
    }
    while (!operator.yielded() && !afterYield.isEmpty()) {
      afterYield.poll().run();
    }
  }

  /** Feeder {@code slot} ended its stream: for this operator, its watermark is the end of time. */
  void feederDone(int slot) throws Exception {
    // Two steps, each after the timers already due: ending a stream taken ahead of due work (for a
    // checkpoint) must not fire the timers it makes due before the checkpoint is taken.
    afterDueWork(() -> advanceWatermark(slot, WatermarkTracker.END_OF_TIME));
    afterDueWork(() -> {
      if (chain.isProcessingTimeInBand()) {
        advanceProcessingTime(slot, WatermarkTracker.END_OF_TIME);
      }
      int port = progress.portOf(slot);
      if (progress.feederDone(slot)) {
        operator.inputDone(port);
      }
      if (progress.allFeedersDone()) {
        complete();
      }
    });
  }

  /** Runs {@code rest} now, or once the timers the operator left due have fired. */
  private void afterDueWork(TaskMailbox.Mail rest) throws Exception {
    if (operator.yielded() || !afterYield.isEmpty()) {
      afterYield.add(rest);
    } else {
      rest.run();
    }
  }

  /** Every input is done (or there never was one): the operator emits what it still has. */
  void complete() throws Exception {
    operator.complete();
    if (operator.hasPendingWork()) {
      // Its output stays open; processing-time callbacks go on until the work is done.
      draining = true;
      return;
    }
    finish();
  }

  /**
   * The operator's input watermark was {@code watermark} at the checkpoint it was restored from: it
   * starts there, rather than at the beginning of time.
   */
  void restoreWatermark(long watermark) throws Exception {
    if (watermark == Long.MIN_VALUE || progress.ports() == 0) {
      return;
    }
    progress.restoreWatermark(watermark);
    for (int port = 0; port < progress.ports(); port++) {
      operator.portWatermark(port, progress.portWatermark(port));
    }
    operator.watermark(progress.watermark());
  }

  /**
   * The operator had finished when the checkpoint it was restored from was taken: it finishes
   * again without emitting anything.
   */
  void finishRestored() throws Exception {
    if (!finished) {
      finish();
    }
  }

  private void finish() throws Exception {
    draining = false;
    finished = true;
    chain.operatorFinished();
    output.end();
  }

  @Override
  public String toString() {
    return node.name();
  }
}

package io.sluice.translation.operators;

import io.sluice.execution.operator.Output;
import io.sluice.execution.runtime.JobCancelledException;

/**
 * Adapts the engine's {@link Output} to Beam's output interfaces, which allow no checked
 * exception: an interrupt while blocked on a full channel can only mean the job is being stopped.
 */
public final class Emitter {

  /** The operator's output: derived, from the context at open, for as long as the operator keeps this emitter. */
  private final Output output;

  public Emitter(Output output) {
    this.output = output;
  }

  public void emit(int port, Object record) {
    try {
      output.emit(port, record);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JobCancelledException("interrupted while emitting: the job is stopping");
    }
  }

  /** Forwards a watermark downstream: for operators that neither delay nor hold elements. */
  public void watermark(long watermark) {
    try {
      output.emitWatermark(watermark);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new JobCancelledException("interrupted while emitting: the job is stopping");
    }
  }
}

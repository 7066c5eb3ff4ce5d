package io.sluice.translation.operators.shared;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.translation.operators.Emitter;

/**
 * Passes every element of every input to its one output. Beam's Flatten; also the receiving end
 * of a redistribution (Reshuffle, Redistribute), where the edge does the work.
 */
public final class FlattenOperator implements Operator {

  /** Derived: made at open, for the operator's life. */
  private Emitter out;

  @Override
  public void open(OperatorContext context) {
    this.out = new Emitter(context.output());
  }

  @Override
  public void process(int inputPort, Object record) {
    out.emit(0, record);
  }

  @Override
  public void watermark(long watermark) {
    out.watermark(watermark);
  }
}

package io.sluice.translation.operators.shared;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.translation.operators.Emitter;
import org.apache.beam.sdk.values.WindowedValues;

/** Beam's Impulse: one empty byte array in the global window, from the first subtask only. */
public final class ImpulseOperator implements Operator {

  /** Derived: given at open, for the operator's life. */
  private OperatorContext context;

  @Override
  public void open(OperatorContext context) {
    this.context = context;
  }

  @Override
  public void process(int inputPort, Object record) {
    throw new IllegalStateException("Impulse has no input");
  }

  @Override
  public void complete() {
    if (context.subtaskIndex() == 0) {
      new Emitter(context.output()).emit(0, WindowedValues.valueInGlobalWindow(new byte[0]));
    }
  }
}

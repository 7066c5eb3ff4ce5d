package io.sluice.execution.runtime;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;

/** Test support: an operator without inputs that emits its records in complete(). */
abstract class TestSource implements Operator {
  OperatorContext context;

  @Override
  public void open(OperatorContext context) throws Exception {
    this.context = context;
  }

  @Override
  public void process(int inputPort, Object record) {
    throw new AssertionError("a source has no input");
  }
}

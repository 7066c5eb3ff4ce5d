package io.sluice.execution.runtime;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;

/** Test support: an operator that records its open and close in a {@link LifeCycle}; subclasses do the work. */
abstract class TrackedOperator implements Operator {
  final LifeCycle lifeCycle;
  OperatorContext context;

  TrackedOperator(LifeCycle lifeCycle) {
    this.lifeCycle = lifeCycle;
  }

  String id() {
    return context.operatorName() + "#" + context.subtaskIndex();
  }

  @Override
  public void open(OperatorContext context) throws Exception {
    this.context = context;
    lifeCycle.opened.add(id());
  }

  @Override
  public void process(int inputPort, Object record) throws Exception {}

  @Override
  public void close() {
    lifeCycle.closeCalls.incrementAndGet();
    lifeCycle.closed.add(id());
  }
}

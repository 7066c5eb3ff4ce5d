package io.sluice.execution.operator;

/** Makes the operator instance of one subtask; called once per subtask, on that subtask's thread. */
@FunctionalInterface
public interface OperatorFactory {
  Operator create(int subtaskIndex);
}

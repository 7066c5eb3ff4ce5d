package io.sluice.execution.operator;

import java.io.Serializable;

/**
 * Makes the operator instance of one subtask; called once per subtask, on that subtask's thread.
 * Serializable, so that a job graph can be shipped to the processes that run it: a factory holds
 * what its operators are made of, and takes what a process provides (metrics, options) from the
 * {@link OperatorContext#jobResource job's resources} when it opens.
 */
@FunctionalInterface
public interface OperatorFactory extends Serializable {
  Operator create(int subtaskIndex);
}

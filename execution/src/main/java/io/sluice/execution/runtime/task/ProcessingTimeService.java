package io.sluice.execution.runtime.task;

/**
 * Processing time for the operators of one subtask: read from the system clock, with callbacks at
 * the times operators ask for, or carried in-band by the data (test streams), where every advance
 * reaches every operator and nothing needs scheduling.
 */
interface ProcessingTimeService {

  /** The processing time {@code operator} sees now. */
  long now(ChainedOperator operator);

  /** Asks for a processing-time call to {@code operator} at {@code time} or soon after. */
  void schedule(ChainedOperator operator, long time);

  /** Removes and returns the operator of the earliest callback due at or before {@code upTo}, or null. */
  ChainedOperator pollDue(long upTo);

  /** When the earliest callback is due; Long.MAX_VALUE if none is scheduled. */
  long nextDue();
}

package io.sluice.execution.operator;

/**
 * An operator without inputs that produces data a little at a time, for as long as it likes (an
 * unbounded source). The subtask polls it between its other work, so that timers and input of
 * operators fused with it, and cancellation, are served while it runs.
 */
public interface SourceOperator extends Operator {

  /** What a poll found. */
  enum Status {
    /** Emitted something; poll again soon. */
    MORE,
    /** Nothing to emit now; the subtask may wait a little before polling again. */
    IDLE,
    /** Finished for good: {@link Operator#complete} follows. */
    DONE
  }

  /** Emits a bounded amount of data and says whether there is more. */
  Status poll() throws Exception;

  @Override
  default void process(int inputPort, Object record) {
    throw new IllegalStateException("a source has no inputs");
  }
}

package io.sluice.execution.runtime;

/**
 * Carries a checked exception of a chained operator through {@link
 * io.sluice.execution.operator.Output#emit}; the job reports the cause, not this wrapper.
 */
public final class OperatorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public OperatorException(Throwable cause) {
    super(cause);
  }
}

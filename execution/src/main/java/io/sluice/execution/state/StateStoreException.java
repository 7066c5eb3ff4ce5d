package io.sluice.execution.state;

/**
 * A state store could not read or write: a full or failing disk, or a store used after close.
 * Unchecked because no caller can recover from it short of failing the task, which then restarts
 * from a checkpoint.
 */
public class StateStoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public StateStoreException(String message) {
    super(message);
  }

  public StateStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}

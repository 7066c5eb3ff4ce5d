package io.sluice.execution.checkpoint;

/** A checkpoint cannot be written, found, read or restored; the message says which and why. */
public final class CheckpointException extends RuntimeException {

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}

package io.sluice.execution.runtime;

import java.util.concurrent.CancellationException;

/** Ends a subtask because its job was cancelled or another subtask failed. */
public final class JobCancelledException extends CancellationException {
  private static final long serialVersionUID = 1L;

  public JobCancelledException(String message) {
    super(message);
  }
}

package io.sluice.execution.channel;

/** A record could not be serialized for, or read back from, a channel: the job fails with its cause. */
public final class RecordSerializationException extends RuntimeException {

  public RecordSerializationException(String message, Throwable cause) {
    super(message, cause);
  }
}

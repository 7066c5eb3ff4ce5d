package io.sluice.execution.operator;

/** Where an operator puts what it produces: chained operators of the same subtask or edges. */
public interface Output {

  /** Hands {@code record} to everything connected to {@code outputPort}; may block on backpressure. */
  void emit(int outputPort, Object record) throws InterruptedException;

  /** Tells everything downstream that no record older than {@code watermark} will follow. */
  void emitWatermark(long watermark) throws InterruptedException;

  /**
   * Advances in-band processing time downstream (see {@link ProcessingTimeMode#IN_BAND}); only
   * sources call it, the engine forwards it through every other operator.
   */
  void emitProcessingTime(long time) throws InterruptedException;
}

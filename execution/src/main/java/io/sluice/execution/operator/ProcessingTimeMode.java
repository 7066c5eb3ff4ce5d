package io.sluice.execution.operator;

/** Where an operator's processing time comes from. */
public enum ProcessingTimeMode {
  /** The system clock; operators ask to be called back at given times. */
  SYSTEM_CLOCK,
  /**
   * Sources emit processing time into the data stream and every operator sees the minimum over its
   * inputs, as with watermarks: a test stream's clock advances only after all that preceded it, in
   * every stage, so tests are deterministic.
   */
  IN_BAND
}

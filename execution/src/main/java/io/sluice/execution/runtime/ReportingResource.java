package io.sluice.execution.runtime;

import java.io.Serializable;

/**
 * A job resource ({@link ExecutionConfig#jobResource}) that gathers what the job's operators do
 * (Beam's metrics) and that a job run across processes brings back to its client: each process
 * running a part of the job has its own copy, which it reports; the client's copy absorbs the
 * reports. Shipped Java-serialized: a copy starts with what the resource writes of itself.
 */
public interface ReportingResource extends Serializable {

  /** What this copy has gathered so far: a whole report, which replaces this part's previous one. */
  Serializable report();

  /**
   * At the client: the latest report of the part {@code part} of attempt {@code attempt} (attempts
   * count up from 1 as the job restarts).
   */
  void absorb(int attempt, String part, Serializable report);
}

/**
 * A running job: wiring the channels, one thread per subtask, failure, cancellation, and the
 * settings a job runs with. See execution/README.md for the design and its invariants.
 */
package io.sluice.execution.runtime;

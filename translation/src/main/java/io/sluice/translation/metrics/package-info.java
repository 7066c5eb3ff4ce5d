/**
 * A job's Beam metrics: one container per operator instance and step, written by its subtask's
 * thread alone so user code pays no contention, merged by step when the runner queries or pushes them.
 */
package io.sluice.translation.metrics;

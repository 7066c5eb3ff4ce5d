/**
 * What a job is: vertices (fused operator chains, each with a parallelism) joined by edges that
 * say how records are partitioned and serialized between vertices. Built by translation, read by
 * the runtime; nothing here runs.
 */
package io.sluice.execution.graph;

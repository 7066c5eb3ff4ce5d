/**
 * JMH microbenchmarks of the engine's per-record paths, which whole-pipeline runs cannot isolate: a
 * record through a channel, routing over a keyed edge, and keyed state access on each backend.
 */
package io.sluice.benchmarks.jmh;

/**
 * The benchmark suite: times every workload on Sluice, Flink, the DirectRunner and plain Java, each
 * run in a fresh JVM so start-up counts, and reports the ratios the speed goals are stated in.
 */
package io.sluice.benchmarks;

package io.sluice.benchmarks.workloads;

import java.nio.file.Path;
import org.apache.beam.sdk.Pipeline;

/**
 * One benchmark workload: the same computation as a Beam pipeline and as plain Java (two threads,
 * HashMaps: the floor), and a check of the result that does not trust either.
 */
public interface Workload {

  String name();

  /** How many input records a run of this size processes (for records/s). */
  long records(long size);

  /** Prepares input files the pipeline reads, once per size, outside the timed runs. */
  default void prepare(long size, Path dataDirectory) throws Exception {}

  /** Builds the pipeline; it must leave what {@link #verify} reads under {@code outputDirectory}. */
  void build(Pipeline pipeline, long size, Path dataDirectory, Path outputDirectory);

  /** The plain-Java floor: two threads and HashMaps, same input, same output. */
  void runPlainJava(long size, Path dataDirectory, Path outputDirectory) throws Exception;

  /** Throws unless the output is exactly right: a fast wrong answer is a failure. */
  void verify(long size, Path dataDirectory, Path outputDirectory) throws Exception;
}

package io.sluice.benchmarks;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * The contenders: three Beam runners and the plain-Java floor. Each benchmark JVM gets only its own
 * runner on the classpath, as a user's application would (Sluice and Flink both declare a
 * --parallelism option, and nothing of Flink or Direct may touch a Sluice run).
 */
enum Runner {
  SLUICE("--runner=SluiceRunner", "--parallelism=2"),
  /** Sluice with keyed state on the heap instead of RocksDB. */
  SLUICE_HEAP("--runner=SluiceRunner", "--parallelism=2", "--stateBackend=heap"),
  /**
   * Sluice through the Job API: the pipeline's proto to a job server in the same JVM, user code in
   * the Java SDK harness there (EMBEDDED), over the Fn API.
   */
  SLUICE_PORTABLE("--runner=SluicePortableRunner", "--jobServerParallelism=2"),
  DIRECT("--runner=DirectRunner", "--targetParallelism=2"),
  FLINK("--runner=FlinkRunner", "--parallelism=2"),
  PLAIN_JAVA();

  private final String[] pipelineArgs;

  Runner(String... pipelineArgs) {
    this.pipelineArgs = pipelineArgs;
  }

  String[] pipelineArgs() {
    return pipelineArgs.clone();
  }

  boolean isBeam() {
    return this != PLAIN_JAVA;
  }

  String label() {
    switch (this) {
      case SLUICE:
        return "Sluice";
      case SLUICE_HEAP:
        return "Sluice (heap)";
      case SLUICE_PORTABLE:
        return "Sluice (portable)";
      case DIRECT:
        return "Direct";
      case FLINK:
        return "Flink";
      default:
        return "plain Java";
    }
  }

  /** {@code classpath} without the jars of the other runners. */
  String classpathFor(String classpath) {
    List<String> kept = new ArrayList<>();
    for (String entry : classpath.split(File.pathSeparator)) {
      if (entry.isEmpty() || !belongs(entry.replace('\\', '/'))) {
        continue;
      }
      kept.add(entry);
    }
    return String.join(File.pathSeparator, kept);
  }

  private boolean belongs(String entry) {
    boolean flink = entry.contains("/org/apache/flink/") || entry.contains("beam-runners-flink");
    boolean direct = entry.contains("beam-runners-direct-java");
    boolean sluice = entry.contains("sluice-") && !entry.contains("sluice-benchmarks")
        && !entry.contains("benchmarks/target/classes");
    switch (this) {
      case SLUICE:
      case SLUICE_HEAP:
      case SLUICE_PORTABLE:
        return !flink && !direct;
      case DIRECT:
        return !flink && !sluice;
      case FLINK:
        return !direct && !sluice;
      default:
        return !flink && !direct && !sluice;
    }
  }
}

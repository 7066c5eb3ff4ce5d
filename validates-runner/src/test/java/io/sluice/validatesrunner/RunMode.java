package io.sluice.validatesrunner;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether the suite runs SluiceRunner in batch or streaming mode, or in streaming mode with a
 * checkpoint every 100 ms (checkpoints during nearly every test), embedded in the suite's JVM or on
 * a local cluster (a coordinator and two worker processes, started once per suite run); exclusions
 * are per mode: the checkpointed run has exactly those of the streaming run, and a cluster run those
 * of its embedded mode and the few of its own (tests that watch user code through the test JVM's
 * static fields, which worker processes do not share). The portable modes submit every pipeline
 * through Beam's Job API to a Sluice job server in the suite's JVM, user code in the EMBEDDED Java
 * SDK harness; their exclusions are listed for them alone. The portable-process mode runs the user
 * code in a Java harness of its own process instead (a PROCESS environment: the distribution's
 * bin/sluice-java-harness, which stages the suite's class path for every job, some seconds each), and
 * only the tests that need such a harness (UsesSdkHarnessEnvironment): the rest of the suite runs
 * the same way in the portable modes.
 */
public enum RunMode {
  BATCH,
  STREAMING,
  CHECKPOINTED,
  CLUSTER_BATCH,
  CLUSTER_STREAMING,
  PORTABLE_BATCH,
  PORTABLE_STREAMING,
  PORTABLE_PROCESS;

  private static final List<String> RUNNER_ARGS =
      List.of("--runner=SluiceRunner", "--parallelism=2");
  /** Through the Job API to a job server in the suite's JVM, user code in the EMBEDDED Java harness. */
  private static final List<String> PORTABLE_RUNNER_ARGS =
      List.of("--runner=SluicePortableRunner", "--jobServerParallelism=2");
  /** The distribution's Java harness boot, built by the runner module before this one. */
  private static final java.nio.file.Path JAVA_HARNESS =
      java.nio.file.Path.of("../runner/target/sluice/bin/sluice-java-harness").toAbsolutePath().normalize();

  /** The name used in exclusions.txt, system properties and report file names. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static RunMode fromLabel(String label) {
    for (RunMode mode : values()) {
      if (mode.label().equals(label.trim().toLowerCase(Locale.ROOT))) {
        return mode;
      }
    }
    throw new IllegalArgumentException("Unknown mode '" + label + "', expected batch, streaming, checkpointed,"
        + " cluster-batch, cluster-streaming, portable-batch, portable-streaming or portable-process");
  }

  /** The mode whose exclusions apply: the checkpointed run may exclude nothing the streaming run does not. */
  public RunMode exclusionMode() {
    return this == CHECKPOINTED || this == CLUSTER_STREAMING ? STREAMING : this == CLUSTER_BATCH ? BATCH : this;
  }

  /** Whether the suite's pipelines are submitted through the Job API (their exclusions are their own). */
  public boolean portable() {
    return this == PORTABLE_BATCH || this == PORTABLE_STREAMING || this == PORTABLE_PROCESS;
  }

  public boolean streaming() {
    return this != BATCH && this != CLUSTER_BATCH && this != PORTABLE_BATCH && this != PORTABLE_PROCESS;
  }

  /** What of the suite the mode covers, as the report says it: all of it but for portable-process. */
  public String coverage() {
    return this == PORTABLE_PROCESS ? "the mode covers UsesSdkHarnessEnvironment only" : "the mode covers every test";
  }

  /** Whether the mode runs {@code method} at all: portable-process runs only what needs a harness of its own. */
  public boolean covers(VrTestMethod method) {
    return this != PORTABLE_PROCESS || method.categories().stream()
        .anyMatch(org.apache.beam.sdk.testing.UsesSdkHarnessEnvironment.class::isAssignableFrom);
  }

  /** Whether the suite's pipelines run on a local cluster. */
  public boolean onCluster() {
    return this == CLUSTER_BATCH || this == CLUSTER_STREAMING;
  }

  /**
   * The pipeline options every TestPipeline of the suite is created with in this mode; {@code
   * cluster} holds the options that reach the suite's cluster, if the mode runs on one.
   */
  public List<String> pipelineArgs(List<String> cluster) {
    List<String> args = new ArrayList<>(portable() ? PORTABLE_RUNNER_ARGS : RUNNER_ARGS);
    if (this == PORTABLE_PROCESS) {
      args.add("--defaultEnvironmentType=PROCESS");
      args.add("--defaultEnvironmentConfig={\"command\": \"" + JAVA_HARNESS + "\"}");
    }
    if (streaming()) {
      args.add("--streaming=true");
    }
    args.addAll(cluster);
    if (this == CHECKPOINTED) {
      args.add("--checkpointingInterval=100");
    }
    return args;
  }
}

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
 * static fields, which worker processes do not share).
 */
public enum RunMode {
  BATCH,
  STREAMING,
  CHECKPOINTED,
  CLUSTER_BATCH,
  CLUSTER_STREAMING;

  private static final List<String> RUNNER_ARGS =
      List.of("--runner=SluiceRunner", "--parallelism=2");

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
        + " cluster-batch or cluster-streaming");
  }

  /** The mode whose exclusions apply: the checkpointed run may exclude nothing the streaming run does not. */
  public RunMode exclusionMode() {
    return this == CHECKPOINTED || this == CLUSTER_STREAMING ? STREAMING : this == CLUSTER_BATCH ? BATCH : this;
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
    List<String> args = new ArrayList<>(RUNNER_ARGS);
    if (exclusionMode() != BATCH) {
      args.add("--streaming=true");
    }
    args.addAll(cluster);
    if (this == CHECKPOINTED) {
      args.add("--checkpointingInterval=100");
    }
    return args;
  }
}

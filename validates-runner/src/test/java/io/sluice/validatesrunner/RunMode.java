package io.sluice.validatesrunner;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether the suite runs SluiceRunner in batch or streaming mode, or in streaming mode with a
 * checkpoint every 100 ms (checkpoints during nearly every test); exclusions are per mode, and the
 * checkpointed run has exactly those of the streaming run.
 */
public enum RunMode {
  BATCH,
  STREAMING,
  CHECKPOINTED;

  private static final List<String> RUNNER_ARGS =
      List.of("--runner=SluiceRunner", "--parallelism=2");

  /** The name used in exclusions.txt, system properties and report file names. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static RunMode fromLabel(String label) {
    for (RunMode mode : values()) {
      if (mode.label().equals(label.trim().toLowerCase(Locale.ROOT))) {
        return mode;
      }
    }
    throw new IllegalArgumentException("Unknown mode '" + label + "', expected batch, streaming or checkpointed");
  }

  /** The mode whose exclusions apply: the checkpointed run may exclude nothing the streaming run does not. */
  public RunMode exclusionMode() {
    return this == CHECKPOINTED ? STREAMING : this;
  }

  /** The pipeline options every TestPipeline of the suite is created with in this mode. */
  public List<String> pipelineArgs() {
    List<String> args = new ArrayList<>(RUNNER_ARGS);
    if (this != BATCH) {
      args.add("--streaming=true");
    }
    if (this == CHECKPOINTED) {
      args.add("--checkpointingInterval=100");
    }
    return args;
  }
}

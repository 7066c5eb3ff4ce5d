package io.sluice.validatesrunner;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Whether the suite runs SluiceRunner in batch or streaming mode; exclusions are per mode. */
public enum RunMode {
  BATCH,
  STREAMING;

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
    throw new IllegalArgumentException("Unknown mode '" + label + "', expected batch or streaming");
  }

  /** The pipeline options every TestPipeline of the suite is created with in this mode. */
  public List<String> pipelineArgs() {
    List<String> args = new ArrayList<>(RUNNER_ARGS);
    if (this == STREAMING) {
      args.add("--streaming=true");
    }
    return args;
  }
}

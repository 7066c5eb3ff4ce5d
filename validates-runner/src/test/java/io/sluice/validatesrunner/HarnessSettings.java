package io.sluice.validatesrunner;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The harness's knobs, read from system properties (the pom forwards them from the mvn command
 * line):
 *
 * <ul>
 *   <li>{@code sluice.vr.mode}: any of {@code batch}, {@code streaming}, {@code checkpointed}, {@code cluster-batch} and {@code cluster-streaming}
 *       (streaming with a checkpoint every 100 ms), comma-separated (the default: all three, one
 *       after the other);
 *   <li>{@code sluice.vr.tests}: optional comma-separated globs choosing a subset, see {@link
 *       TestSelection};
 *   <li>{@code sluice.vr.timeoutSeconds}: per-test timeout, default 180;
 *   <li>{@code sluice.vr.exclusions}: the exclusions file, default {@code exclusions.txt};
 *   <li>{@code sluice.vr.reportDir}: where reports go, default {@code target}.
 * </ul>
 *
 * Relative paths resolve against the working directory, which surefire sets to the module.
 */
public record HarnessSettings(
    List<RunMode> modes, TestSelection selection, Duration timeout, Path exclusionsFile, Path reportDir) {

  /** How long an interrupted test gets to give up before its thread is abandoned. */
  public static final Duration INTERRUPT_GRACE = Duration.ofSeconds(10);

  public static HarnessSettings from(Properties properties) {
    String timeout = blankToDefault(properties.getProperty("sluice.vr.timeoutSeconds"), "180");
    Duration perTest;
    try {
      perTest = Duration.ofSeconds(Long.parseLong(timeout.strip()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "sluice.vr.timeoutSeconds must be a number of seconds, not " + timeout, e);
    }
    if (perTest.isNegative() || perTest.isZero()) {
      throw new IllegalArgumentException(
          "sluice.vr.timeoutSeconds must be positive, not " + timeout);
    }
    return new HarnessSettings(
        Arrays.stream(blankToDefault(properties.getProperty("sluice.vr.mode"), "batch,streaming,checkpointed,cluster-batch,cluster-streaming").split(","))
            .map(RunMode::fromLabel)
            .distinct()
            .toList(),
        TestSelection.parse(properties.getProperty("sluice.vr.tests")),
        perTest,
        Path.of(blankToDefault(properties.getProperty("sluice.vr.exclusions"), "exclusions.txt")),
        Path.of(blankToDefault(properties.getProperty("sluice.vr.reportDir"), "target")));
  }

  // Maven passes an unset property as an empty string, which must mean "use the default".
  private static String blankToDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }
}

package io.sluice.validatesrunner;

/**
 * How one execution of a test method ended. A Parameterized class executes a method once per
 * parameter, so {@code execution} is JUnit's name for it, e.g. {@code testFoo[0]}.
 *
 * @param failure what went wrong, null when the execution passed
 */
public record ExecutionResult(
    VrTestMethod method, String execution, Outcome outcome, Throwable failure) {

  public enum Outcome {
    PASSED,
    FAILED,
    /** Overran the per-test timeout; counts as a failure. */
    TIMED_OUT,
    /** An assumption did not hold, so JUnit skipped the test: it neither passed nor failed. */
    SKIPPED;

    public boolean ran() {
      return this != SKIPPED;
    }

    public boolean failed() {
      return this == FAILED || this == TIMED_OUT;
    }
  }

  /** {@code org.apache.beam...ClassName#testFoo[0]}. */
  public String id() {
    return method.testClass().getName() + "#" + execution;
  }

  /** The first line of the failure message, or the exception type when it has no message. */
  public String summary() {
    if (failure == null) {
      return outcome.name();
    }
    String message = failure.getMessage();
    if (message == null || message.isBlank()) {
      return failure.getClass().getName();
    }
    String firstLine = message.strip().lines().findFirst().orElse("");
    return failure.getClass().getSimpleName() + ": " + firstLine;
  }
}

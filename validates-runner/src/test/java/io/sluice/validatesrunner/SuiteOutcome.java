package io.sluice.validatesrunner;

import java.time.Duration;
import java.util.List;

/** The plan of a run and how each execution ended. */
public record SuiteOutcome(SuitePlan plan, List<ExecutionResult> results, Duration wallTime) {

  public SuiteOutcome {
    results = List.copyOf(results);
  }

  public List<ExecutionResult> failures() {
    return results.stream().filter(result -> result.outcome().failed()).toList();
  }

  public List<ExecutionResult> skipped() {
    return results.stream().filter(result -> !result.outcome().ran()).toList();
  }
}

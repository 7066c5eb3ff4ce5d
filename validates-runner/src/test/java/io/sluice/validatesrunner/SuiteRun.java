package io.sluice.validatesrunner;

import io.sluice.validatesrunner.ExecutionResult.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the planned tests one class at a time, logging progress as each class completes. */
public final class SuiteRun {

  private static final Logger LOG = LoggerFactory.getLogger(SuiteRun.class);

  private final TimedClassRunner classRunner;

  public SuiteRun(TimedClassRunner classRunner) {
    this.classRunner = classRunner;
  }

  public SuiteOutcome execute(SuitePlan plan) {
    Map<Class<?>, List<VrTestMethod>> byClass = new LinkedHashMap<>();
    plan.toRun()
        .forEach(
            method ->
                byClass.computeIfAbsent(method.testClass(), c -> new ArrayList<>()).add(method));

    long start = System.nanoTime();
    List<ExecutionResult> results = new ArrayList<>();
    int classNumber = 0;
    for (Map.Entry<Class<?>, List<VrTestMethod>> entry : byClass.entrySet()) {
      classNumber++;
      long classStart = System.nanoTime();
      List<ExecutionResult> classResults = classRunner.run(entry.getKey(), entry.getValue());
      results.addAll(classResults);
      LOG.info(
          "[{}/{}] {}: {} passed, {} failed, {} skipped in {} ms",
          classNumber,
          byClass.size(),
          Categories.nameWithoutPackage(entry.getKey()),
          count(classResults, Outcome.PASSED),
          classResults.stream().filter(result -> result.outcome().failed()).count(),
          count(classResults, Outcome.SKIPPED),
          Duration.ofNanos(System.nanoTime() - classStart).toMillis());
      classResults.stream()
          .filter(result -> result.outcome().failed())
          .forEach(result -> LOG.info("    FAILED {}: {}", result.execution(), result.summary()));
    }
    return new SuiteOutcome(plan, results, Duration.ofNanos(System.nanoTime() - start));
  }

  private static long count(List<ExecutionResult> results, Outcome outcome) {
    return results.stream().filter(result -> result.outcome() == outcome).count();
  }
}

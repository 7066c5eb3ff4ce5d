package io.sluice.validatesrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.validatesrunner.ExecutionResult.Outcome;
import io.sluice.validatesrunner.fixtures.BrokenSetupFixture;
import io.sluice.validatesrunner.fixtures.InvalidFixture;
import io.sluice.validatesrunner.fixtures.OutcomesFixture;
import io.sluice.validatesrunner.fixtures.ParameterizedFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TimedClassRunnerTest {

  private static final Duration GENEROUS = Duration.ofSeconds(60);

  @BeforeEach
  void holdUninterruptibleTests() {
    OutcomesFixture.release = new CountDownLatch(1);
  }

  @AfterEach
  void releaseAbandonedThreads() {
    OutcomesFixture.release.countDown();
  }

  @Test
  void reportsPassFailureAndSkippedAssumption() {
    Map<String, ExecutionResult> results =
        run(
            new TimedClassRunner(GENEROUS, GENEROUS),
            OutcomesFixture.class,
            "passes",
            "fails",
            "assumptionFails");

    assertEquals(Set.of("passes", "fails", "assumptionFails"), results.keySet());
    assertEquals(Outcome.PASSED, results.get("passes").outcome());
    assertEquals(Outcome.FAILED, results.get("fails").outcome());
    assertEquals("AssertionError: boom", results.get("fails").summary());
    assertEquals(Outcome.SKIPPED, results.get("assumptionFails").outcome());
  }

  @Test
  void runsEveryParameterOfSelectedMethodsOnly() {
    Map<String, ExecutionResult> results =
        run(new TimedClassRunner(GENEROUS, GENEROUS), ParameterizedFixture.class, "rejectsTwo");

    assertEquals(Set.of("rejectsTwo[0]", "rejectsTwo[1]", "rejectsTwo[2]"), results.keySet());
    assertEquals(Outcome.PASSED, results.get("rejectsTwo[0]").outcome());
    assertEquals(Outcome.FAILED, results.get("rejectsTwo[1]").outcome());
    assertEquals(Outcome.PASSED, results.get("rejectsTwo[2]").outcome());
  }

  @Test
  void interruptsOverrunningTestAndRunsTheRest() {
    TimedClassRunner runner = new TimedClassRunner(Duration.ofSeconds(1), GENEROUS);

    Map<String, ExecutionResult> results =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () -> run(runner, OutcomesFixture.class, "hangsInterruptibly", "passes"));

    assertEquals(Outcome.TIMED_OUT, results.get("hangsInterruptibly").outcome());
    assertTrue(results.get("hangsInterruptibly").summary().contains("timed out after 1 seconds"));
    assertEquals(Outcome.PASSED, results.get("passes").outcome());
  }

  @Test
  void abandonsTestThatIgnoresInterruptsAndRunsTheRest() {
    TimedClassRunner runner = new TimedClassRunner(Duration.ofSeconds(1), Duration.ofMillis(500));

    Map<String, ExecutionResult> results =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () -> run(runner, OutcomesFixture.class, "ignoresInterrupts", "passes", "fails"));

    assertEquals(Outcome.TIMED_OUT, results.get("ignoresInterrupts").outcome());
    assertEquals(Outcome.PASSED, results.get("passes").outcome());
    assertEquals(Outcome.FAILED, results.get("fails").outcome());
  }

  @Test
  void failsEveryMethodWhenClassSetupFails() {
    Map<String, ExecutionResult> results =
        run(new TimedClassRunner(GENEROUS, GENEROUS), BrokenSetupFixture.class, "first", "second");

    assertEquals(Set.of("first", "second"), results.keySet());
    for (ExecutionResult result : results.values()) {
      assertEquals(Outcome.FAILED, result.outcome());
      assertEquals("IllegalStateException: no cluster", result.summary());
    }
  }

  @Test
  void failsEveryMethodOfClassJUnitRejects() {
    Map<String, ExecutionResult> results =
        run(new TimedClassRunner(GENEROUS, GENEROUS), InvalidFixture.class, "notPublic");

    assertEquals(Outcome.FAILED, results.get("notPublic").outcome());
    assertTrue(
        results.get("notPublic").summary().contains("Invalid test class"),
        results.get("notPublic").summary());
  }

  private static Map<String, ExecutionResult> run(
      TimedClassRunner runner, Class<?> testClass, String... methods) {
    List<VrTestMethod> selected =
        List.of(methods).stream()
            .map(method -> new VrTestMethod(testClass, method, Set.of()))
            .toList();
    Map<String, ExecutionResult> byExecution = new TreeMap<>();
    for (ExecutionResult result : runner.run(testClass, selected)) {
      byExecution.put(result.execution(), result);
    }
    return byExecution;
  }
}

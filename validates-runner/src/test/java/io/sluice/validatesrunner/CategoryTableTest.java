package io.sluice.validatesrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.validatesrunner.CategoryTable.Row;
import io.sluice.validatesrunner.ExecutionResult.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.beam.sdk.testing.NeedsRunner;
import org.apache.beam.sdk.testing.UsesExternalService;
import org.apache.beam.sdk.testing.UsesSideInputs;
import org.apache.beam.sdk.testing.ValidatesRunner;
import org.apache.beam.sdk.transforms.ParDoTest;
import org.junit.jupiter.api.Test;

class CategoryTableTest {

  private static final VrTestMethod SIDE_INPUT =
      method("sideInput", ValidatesRunner.class, NeedsRunner.class, UsesSideInputs.class);
  private static final VrTestMethod PLAIN =
      method("plain", ValidatesRunner.class, NeedsRunner.class);
  private static final VrTestMethod EXTERNAL =
      method(
          "external",
          ValidatesRunner.class,
          NeedsRunner.class,
          UsesSideInputs.class,
          UsesExternalService.class);

  @Test
  void countsMethodsDiscoveredAndExcludedButExecutionsRun() {
    SuitePlan plan =
        SuitePlan.of(
            List.of(SIDE_INPUT, PLAIN, EXTERNAL),
            Exclusions.parse(List.of("UsesExternalService | batch | needs a service"), "test"),
            RunMode.BATCH,
            TestSelection.all());
    SuiteOutcome outcome =
        new SuiteOutcome(
            plan,
            List.of(
                // PLAIN is parameterized: two executions of one method.
                new ExecutionResult(PLAIN, "plain[0]", Outcome.PASSED, null),
                new ExecutionResult(
                    PLAIN, "plain[1]", Outcome.TIMED_OUT, new AssertionError("slow")),
                new ExecutionResult(
                    SIDE_INPUT, "sideInput", Outcome.FAILED, new AssertionError("wrong")),
                new ExecutionResult(SIDE_INPUT, "sideInputAgain", Outcome.SKIPPED, null)),
            Duration.ofSeconds(3));

    CategoryTable table = CategoryTable.of(outcome);
    Map<String, Row> rows =
        table.rows().stream().collect(Collectors.toMap(Row::category, Function.identity()));

    assertEquals(
        List.of("NeedsRunner", "UsesExternalService", "UsesSideInputs", "ValidatesRunner"),
        List.copyOf(rows.keySet().stream().sorted().toList()));
    assertEquals(new Row("ValidatesRunner", 3, 3, 1, 2, 1), rows.get("ValidatesRunner"));
    // The excluded method counts as excluded under each of its categories, not only the excluding
    // one.
    assertEquals(new Row("UsesSideInputs", 2, 1, 0, 1, 1), rows.get("UsesSideInputs"));
    assertEquals(new Row("UsesExternalService", 1, 0, 0, 0, 1), rows.get("UsesExternalService"));
    assertEquals(new Row("TOTAL", 3, 3, 1, 2, 1), table.total());
    assertTrue(
        table.toMarkdown().contains("| **TOTAL** | 3 | 3 | 1 | 2 | 1 |"), table.toMarkdown());
  }

  private static VrTestMethod method(String name, Class<?>... categories) {
    return new VrTestMethod(ParDoTest.BasicTests.class, name, Set.of(categories));
  }
}

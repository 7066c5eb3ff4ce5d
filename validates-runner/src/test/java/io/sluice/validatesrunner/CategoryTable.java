package io.sluice.validatesrunner;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Per-category counts of a run, one row per category carried by a discovered method (supertypes
 * included). Discovered and excluded count methods; ran, passed and failed count executions, which
 * exceed methods for Parameterized classes. A method excluded by any of its categories counts as
 * excluded in every one of them.
 */
public final class CategoryTable {

  public record Row(
      String category, int discovered, int ran, int passed, int failed, int excluded) {}

  private final List<Row> rows;
  private final Row total;

  private CategoryTable(List<Row> rows, Row total) {
    this.rows = List.copyOf(rows);
    this.total = total;
  }

  public static CategoryTable of(SuiteOutcome outcome) {
    Set<String> categories = new TreeSet<>();
    outcome.plan().discovered().forEach(method -> categories.addAll(namesOf(method.categories())));
    List<Row> rows = new ArrayList<>();
    for (String category : categories) {
      rows.add(row(category, outcome, method -> namesOf(method.categories()).contains(category)));
    }
    return new CategoryTable(rows, row("TOTAL", outcome, method -> true));
  }

  private static Row row(String name, SuiteOutcome outcome, Predicate<VrTestMethod> inRow) {
    SuitePlan plan = outcome.plan();
    List<ExecutionResult> results =
        outcome.results().stream().filter(r -> inRow.test(r.method())).toList();
    return new Row(
        name,
        (int) plan.discovered().stream().filter(inRow).count(),
        (int) results.stream().filter(r -> r.outcome().ran()).count(),
        (int) results.stream().filter(r -> r.outcome() == ExecutionResult.Outcome.PASSED).count(),
        (int) results.stream().filter(r -> r.outcome().failed()).count(),
        (int) plan.excluded().keySet().stream().filter(inRow).count());
  }

  private static Set<String> namesOf(Collection<Class<?>> categories) {
    Set<String> names = new TreeSet<>();
    categories.forEach(category -> names.add(Categories.nameWithoutPackage(category)));
    return names;
  }

  public List<Row> rows() {
    return rows;
  }

  public Row total() {
    return total;
  }

  public String toMarkdown() {
    StringBuilder table = new StringBuilder();
    table.append("| category | discovered | ran | passed | failed | excluded |\n");
    table.append("|---|---:|---:|---:|---:|---:|\n");
    rows.forEach(row -> appendRow(table, row, row.category()));
    appendRow(table, total, "**TOTAL**");
    return table.toString();
  }

  private static void appendRow(StringBuilder table, Row row, String label) {
    table.append(
        String.format(
            "| %s | %d | %d | %d | %d | %d |%n",
            label, row.discovered(), row.ran(), row.passed(), row.failed(), row.excluded()));
  }
}

package io.sluice.validatesrunner;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The Markdown report of a run (header, category table, wall time, failed tests with the first
 * line of each failure) and a companion text file with the full stack traces.
 */
public final class SuiteReport {

  private final SuiteOutcome outcome;

  public SuiteReport(SuiteOutcome outcome) {
    this.outcome = outcome;
  }

  public String markdown() {
    SuitePlan plan = outcome.plan();
    StringBuilder report = new StringBuilder();
    report.append(
        String.format(
            "# ValidatesRunner suite on SluiceRunner, %s mode%n%n"
                + "- pipeline options: `%s`%n"
                + "- selection: %s; %s (%d of %d discovered methods, %d excluded)%n%n",
            plan.mode().label(),
            String.join(" ", plan.mode().pipelineArgs(plan.mode().onCluster()
                ? List.of("--coordinator=<the suite's local cluster: a coordinator and 2 workers>",
                    "--clusterSecretFile=<its secret>")
                : List.of())),
            plan.selection(),
            plan.mode().coverage(),
            plan.toRun().size(),
            plan.discovered().size(),
            plan.excluded().size()));
    report.append(CategoryTable.of(outcome).toMarkdown()).append('\n');
    report.append(String.format("Wall time: %s%n%n", format(outcome.wallTime())));

    appendResults(report, "Failed tests", outcome.failures());
    if (!outcome.skipped().isEmpty()) {
      report.append('\n');
      appendResults(report, "Skipped by JUnit (assumption not met or @Ignore)", outcome.skipped());
    }

    report.append(String.format("%n## Exclusions in %s mode%n%n", plan.mode().label()));
    report.append("| methods | target | reason |\n|---:|---|---|\n");
    for (Exclusion exclusion : plan.exclusions()) {
      long methods =
          plan.discovered().stream().filter(m -> exclusion.appliesTo(m, plan.mode())).count();
      report.append(
          String.format("| %d | %s | %s |%n", methods, exclusion.target(), exclusion.reason()));
    }
    return report.toString();
  }

  private static void appendResults(
      StringBuilder report, String title, List<ExecutionResult> results) {
    report.append(String.format("## %s (%d)%n%n", title, results.size()));
    results.forEach(
        result -> report.append(String.format("- `%s`: %s%n", result.id(), result.summary())));
  }

  public String failureTraces() {
    StringBuilder traces = new StringBuilder();
    for (ExecutionResult failure : outcome.failures()) {
      StringWriter trace = new StringWriter();
      failure.failure().printStackTrace(new PrintWriter(trace));
      traces.append(String.format("=== %s (%s)%n%s%n", failure.id(), failure.outcome(), trace));
    }
    return traces.toString();
  }

  /**
   * Writes vr-report-&lt;mode&gt;.md and vr-failures-&lt;mode&gt;.txt; returns the report's path.
   */
  public Path writeTo(Path directory) {
    String mode = outcome.plan().mode().label();
    Path report = directory.resolve("vr-report-" + mode + ".md");
    try {
      Files.createDirectories(directory);
      Files.writeString(report, markdown());
      Files.writeString(directory.resolve("vr-failures-" + mode + ".txt"), failureTraces());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the report to " + directory, e);
    }
    return report;
  }

  private static String format(Duration duration) {
    long seconds = duration.toSeconds();
    return String.format("%dh %02dm %02ds", seconds / 3600, seconds % 3600 / 60, seconds % 60);
  }
}

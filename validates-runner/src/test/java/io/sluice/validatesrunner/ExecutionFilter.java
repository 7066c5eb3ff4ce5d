package io.sluice.validatesrunner;

import java.util.Set;
import java.util.function.Predicate;
import org.junit.runner.Description;
import org.junit.runner.manipulation.Filter;

/**
 * A JUnit 4 filter keeping the leaf descriptions (test executions) that match a predicate, and the
 * suites that still contain one. Parameterized classes name their executions {@code testFoo[0]},
 * which {@link #methodName} maps back to {@code testFoo}.
 */
final class ExecutionFilter extends Filter {

  private final Predicate<Description> keep;
  private final String description;

  private ExecutionFilter(Predicate<Description> keep, String description) {
    this.keep = keep;
    this.description = description;
  }

  /** Keeps every execution of the named methods. */
  static ExecutionFilter ofMethods(Set<String> methodNames) {
    return new ExecutionFilter(
        leaf -> methodNames.contains(methodName(leaf)), "methods " + methodNames);
  }

  /** Keeps exactly these executions (descriptions are equal when their display names are). */
  static ExecutionFilter ofExecutions(Set<Description> executions) {
    return new ExecutionFilter(executions::contains, executions.size() + " executions");
  }

  /** The Java method an execution runs, without the {@code [parameter]} suffix. */
  static String methodName(Description execution) {
    String name = execution.getMethodName();
    if (name == null) {
      return null;
    }
    int parameters = name.indexOf('[');
    return parameters < 0 ? name : name.substring(0, parameters);
  }

  @Override
  public boolean shouldRun(Description description) {
    if (description.isTest()) {
      return keep.test(description);
    }
    return description.getChildren().stream().anyMatch(this::shouldRun);
  }

  @Override
  public String describe() {
    return description;
  }
}

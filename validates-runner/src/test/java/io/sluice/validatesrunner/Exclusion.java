package io.sluice.validatesrunner;

import java.util.Set;

/**
 * One line of exclusions.txt: a category (by name without package, e.g. {@code
 * LargeKeys$Above100MB}) or a single test ({@code org.apache.beam...ClassName#method}), the modes
 * in which it is skipped, and why.
 */
public record Exclusion(String target, Set<RunMode> modes, String reason, int line) {

  public Exclusion {
    modes = Set.copyOf(modes);
  }

  public boolean targetsTest() {
    return target.contains("#");
  }

  public boolean appliesTo(VrTestMethod method, RunMode mode) {
    if (!modes.contains(mode.exclusionMode()) && !modes.contains(mode)) {
      return false;
    }
    if (targetsTest()) {
      return target.equals(method.id());
    }
    return method.categories().stream()
        .anyMatch(category -> Categories.nameWithoutPackage(category).equals(target));
  }
}

package io.sluice.validatesrunner;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The optional subset to run while iterating on the runner, from {@code -Dsluice.vr.tests}: a
 * comma-separated list of globs ({@code *} and {@code ?}) over {@code Class} or {@code
 * Class#method}, where the class is either its full binary name or the name without package, e.g.
 * {@code ParDoTest$TimerTests} or {@code *CombineTest*#testSimpleCombine}.
 */
public final class TestSelection {

  private final List<String> globs;
  private final List<Pattern> patterns;

  private TestSelection(List<String> globs) {
    this.globs = List.copyOf(globs);
    this.patterns = globs.stream().map(TestSelection::toRegex).toList();
  }

  public static TestSelection all() {
    return new TestSelection(List.of());
  }

  /** A blank spec selects everything, so an unset Maven property needs no special casing. */
  public static TestSelection parse(String spec) {
    if (spec == null || spec.isBlank()) {
      return all();
    }
    return new TestSelection(
        Arrays.stream(spec.split(",")).map(String::strip).filter(glob -> !glob.isEmpty()).toList());
  }

  public boolean selectsAll() {
    return globs.isEmpty();
  }

  public boolean selects(VrTestMethod method) {
    if (selectsAll()) {
      return true;
    }
    for (int i = 0; i < globs.size(); i++) {
      // A glob without '#' names classes; matching it against "Class#method" too would let
      // "*Test" pick methods whose names end in Test.
      String suffix = globs.get(i).contains("#") ? "#" + method.methodName() : "";
      Pattern pattern = patterns.get(i);
      if (pattern.matcher(method.testClass().getName() + suffix).matches()
          || pattern.matcher(method.shortClassName() + suffix).matches()) {
        return true;
      }
    }
    return false;
  }

  private static Pattern toRegex(String glob) {
    StringBuilder regex = new StringBuilder();
    for (char c : glob.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(regex.toString());
  }

  @Override
  public String toString() {
    return selectsAll() ? "all tests" : String.join(",", globs);
  }
}

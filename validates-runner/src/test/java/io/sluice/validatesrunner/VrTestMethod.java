package io.sluice.validatesrunner;

import java.util.Set;

/**
 * One ValidatesRunner test method as JUnit 4 would run it: the concrete class it runs in (which may
 * inherit the method) and every category it carries, supertypes included.
 */
public record VrTestMethod(Class<?> testClass, String methodName, Set<Class<?>> categories) {

  public VrTestMethod {
    categories = Set.copyOf(categories);
  }

  /**
   * {@code org.apache.beam.sdk.transforms.ParDoTest$TimerTests#testFoo}: the form exclusions use.
   */
  public String id() {
    return testClass.getName() + "#" + methodName;
  }

  /** The class name without its package, e.g. {@code ParDoTest$TimerTests}. */
  public String shortClassName() {
    return Categories.nameWithoutPackage(testClass);
  }

  @Override
  public String toString() {
    return id();
  }
}

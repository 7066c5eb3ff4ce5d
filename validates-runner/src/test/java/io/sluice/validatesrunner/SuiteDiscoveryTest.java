package io.sluice.validatesrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Discovery must find exactly what Beam 2.70.0 ships, as counted in
 * shared/reference/vr-suite-2.70.0.md: a harness that finds fewer tests hides failures.
 */
class SuiteDiscoveryTest {

  private static DiscoveredSuite suite;
  private static List<VrTestMethod> sdk;

  @BeforeAll
  static void discover() {
    suite = SuiteDiscovery.usingContextClassLoader().discover();
    sdk = suite.methodsByJar().get(SuiteJar.SDK_CORE);
  }

  @Test
  void findsEveryValidatesRunnerMethodOfBothJars() {
    assertEquals(407, sdk.size());
    assertEquals(59, count(sdk, VrTestMethod::testClass).size());
    List<VrTestMethod> runnersCore = suite.methodsByJar().get(SuiteJar.RUNNERS_CORE);
    assertEquals(4, runnersCore.size());
    assertEquals(List.of(), suite.shortfalls());
  }

  @Test
  void countsMethodsPerClassAsTheReference() {
    Map<String, Long> perClass = count(sdk, VrTestMethod::shortClassName);

    assertEquals(31, perClass.get("ParDoTest$TimerTests"));
    assertEquals(32, perClass.get("ParDoTest$StateTests"));
    assertEquals(26, perClass.get("PAssertTest"));
    assertEquals(18, perClass.get("SplittableDoFnTest"));
    assertEquals(13, perClass.get("GroupByKeyTest$BasicTests"));
    assertEquals(1, perClass.get("ValidateRunnerXlangTest$CombineGloballyTest"));
    assertEquals(4, perClass.get("PipelineTest"));
  }

  @Test
  void countsMethodsPerCategoryAsTheReference() {
    Map<String, Long> perCategory = perCategory();

    assertEquals(407, perCategory.get("ValidatesRunner"));
    assertEquals(407, perCategory.get("NeedsRunner"));
    assertEquals(78, perCategory.get("UsesStatefulParDo"));
    assertEquals(64, perCategory.get("UsesTimersInParDo"));
    assertEquals(81, perCategory.get("UsesSideInputs"));
    assertEquals(42, perCategory.get("UsesTestStream"));
    assertEquals(11, perCategory.get("UsesExternalService"));
    assertEquals(10, perCategory.get("UsesJavaExpansionService"));
    assertEquals(11, perCategory.get("UsesPythonExpansionService"));
    assertEquals(3, perCategory.get("UsesSdkHarnessEnvironment"));
    assertEquals(12, perCategory.get("UsesStrictTimerOrdering"));
    assertEquals(1, perCategory.get("LargeKeys$Above100MB"));
    assertEquals(2, perCategory.get("LargeKeys$Above10MB"));
  }

  /**
   * Categories are expanded to all their supertypes, as JUnit's category filter does
   * (isAssignableFrom), so excluding a category also excludes its subcategories' tests. The
   * reference file expands only one level, so it counts fewer here: UsesUnboundedPCollections 46
   * (it misses the 4 tests tagged UsesTestStreamWithProcessingTime alone) and LargeKeys$Above1MB 2,
   * $Above100KB 2, $Above10KB 2.
   */
  @Test
  void expandsCategorySupertypesTransitively() {
    Map<String, Long> perCategory = perCategory();

    assertEquals(50, perCategory.get("UsesUnboundedPCollections"));
    assertEquals(3, perCategory.get("LargeKeys$Above1MB"));
    assertEquals(4, perCategory.get("LargeKeys$Above100KB"));
    assertEquals(5, perCategory.get("LargeKeys$Above10KB"));
  }

  @Test
  void skipsIgnoredMethods() {
    List<String> ids = sdk.stream().map(VrTestMethod::id).toList();

    assertFalse(ids.contains("org.apache.beam.sdk.transforms.SplittableDoFnTest#testLateData"));
    assertFalse(ids.contains("org.apache.beam.sdk.values.PDoneTest#testEmptyTransform"));
    assertTrue(
        ids.contains(
            "org.apache.beam.sdk.transforms.ParDoTest$TimerTests#testEventTimeTimerBounded"));
  }

  private static Map<String, Long> perCategory() {
    return sdk.stream()
        .flatMap(method -> method.categories().stream())
        .collect(Collectors.groupingBy(Categories::nameWithoutPackage, Collectors.counting()));
  }

  private static <K> Map<K, Long> count(List<VrTestMethod> methods, Function<VrTestMethod, K> key) {
    return methods.stream().collect(Collectors.groupingBy(key, Collectors.counting()));
  }
}

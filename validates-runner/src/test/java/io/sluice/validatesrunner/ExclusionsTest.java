package io.sluice.validatesrunner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.beam.sdk.testing.NeedsRunner;
import org.apache.beam.sdk.testing.UsesTestStream;
import org.apache.beam.sdk.testing.UsesTestStreamWithProcessingTime;
import org.apache.beam.sdk.testing.UsesUnboundedPCollections;
import org.apache.beam.sdk.testing.ValidatesRunner;
import org.apache.beam.sdk.transforms.ParDoTest;
import org.junit.jupiter.api.Test;

class ExclusionsTest {

  private static final VrTestMethod PROCESSING_TIME_TEST =
      new VrTestMethod(
          ParDoTest.TimerTests.class,
          "testProcessingTimeTimer",
          Set.of(
              ValidatesRunner.class,
              NeedsRunner.class,
              UsesTestStreamWithProcessingTime.class,
              UsesTestStream.class,
              UsesUnboundedPCollections.class));

  @Test
  void parsesCategoriesTestsCommentsAndBlankLines() {
    Exclusions exclusions =
        Exclusions.parse(
            List.of(
                "# a comment",
                "",
                "UsesUnboundedPCollections | batch | a batch runner has no unbounded input",
                "LargeKeys$Above100MB|batch,streaming|too big for the CI machine",
                "  org.apache.beam.sdk.transforms.ParDoTest$TimerTests#testFoo | streaming | flaky"
                    + " | see issue 7  "),
            "test");

    List<Exclusion> entries = exclusions.entries();
    assertEquals(3, entries.size());
    assertEquals("UsesUnboundedPCollections", entries.get(0).target());
    assertEquals(Set.of(RunMode.BATCH), entries.get(0).modes());
    assertEquals("LargeKeys$Above100MB", entries.get(1).target());
    assertEquals(Set.of(RunMode.BATCH, RunMode.STREAMING), entries.get(1).modes());
    assertTrue(entries.get(2).targetsTest());
    assertEquals("flaky | see issue 7", entries.get(2).reason());
    assertEquals(5, entries.get(2).line());
  }

  @Test
  void lineWithoutReasonIsAnError() {
    for (String line :
        List.of(
            "UsesTestStream | batch",
            "UsesTestStream | batch |",
            "UsesTestStream | batch |   ",
            "UsesTestStream")) {
      IllegalArgumentException error =
          assertThrows(
              IllegalArgumentException.class,
              () -> Exclusions.parse(List.of("# header", line), "exclusions.txt"));
      assertTrue(error.getMessage().startsWith("exclusions.txt:2: "), error.getMessage());
      assertTrue(error.getMessage().contains("reason is mandatory"), error.getMessage());
    }
  }

  @Test
  void badModesTargetsAndDuplicatesAreErrors() {
    assertThrows(IllegalArgumentException.class, () -> parse("UsesTestStream | nightly | why"));
    assertThrows(IllegalArgumentException.class, () -> parse("UsesTestStream |  | why"));
    assertThrows(
        IllegalArgumentException.class,
        () -> parse("org.apache.beam.sdk.Foo | batch | a class is not a test"));
    assertThrows(IllegalArgumentException.class, () -> parse("Uses Test Stream | batch | why"));
    assertThrows(
        IllegalArgumentException.class,
        () -> parse("UsesTestStream | batch | why", "UsesTestStream | batch,streaming | again"));
  }

  @Test
  void categoryEntryCoversSubcategoriesInItsModesOnly() {
    Exclusions exclusions =
        parse("UsesUnboundedPCollections | batch | no unbounded input in batch");

    assertTrue(exclusions.find(PROCESSING_TIME_TEST, RunMode.BATCH).isPresent());
    assertFalse(exclusions.find(PROCESSING_TIME_TEST, RunMode.STREAMING).isPresent());
  }

  @Test
  void testEntryMatchesOnlyThatTest() {
    Exclusions exclusions =
        parse(
            "org.apache.beam.sdk.transforms.ParDoTest$TimerTests#testProcessingTimeTimer |"
                + " streaming | flaky");

    assertTrue(exclusions.find(PROCESSING_TIME_TEST, RunMode.STREAMING).isPresent());
    VrTestMethod other =
        new VrTestMethod(
            ParDoTest.TimerTests.class, "testOther", PROCESSING_TIME_TEST.categories());
    assertFalse(exclusions.find(other, RunMode.STREAMING).isPresent());
  }

  @Test
  void entriesMatchingNoDiscoveredTestAreReported() {
    Exclusions exclusions =
        parse(
            "UsesTestStream | batch | fine",
            "UsesTestStreem | batch | typo",
            "org.apache.beam.sdk.transforms.ParDoTest$TimerTests#gone | batch | removed from Beam",
            "LargeKeys$Above100MB | batch | none of the discovered tests carries it");

    List<String> stale =
        exclusions.matchingNothing(List.of(PROCESSING_TIME_TEST)).stream()
            .map(Exclusion::target)
            .toList();

    assertEquals(
        List.of(
            "UsesTestStreem",
            "org.apache.beam.sdk.transforms.ParDoTest$TimerTests#gone",
            "LargeKeys$Above100MB"),
        stale);
  }

  @Test
  void checkedInFileExcludesServicesOutsideTheRunnerInBothModes() {
    Exclusions exclusions =
        Exclusions.load(HarnessSettings.from(System.getProperties()).exclusionsFile());

    Map<String, Set<RunMode>> modesByTarget =
        exclusions.entries().stream()
            .collect(Collectors.toMap(Exclusion::target, Exclusion::modes, (a, b) -> {
              Set<RunMode> both = new java.util.HashSet<>(a);
              both.addAll(b);
              return both;
            }));
    // Classic runs have no SDK harness; the EMBEDDED one of the portable modes shares the job
    // server's JVM. The portable-process mode, whose harness has a process of its own, runs them.
    assertTrue(modesByTarget.get("UsesSdkHarnessEnvironment").containsAll(Set.of(RunMode.BATCH, RunMode.STREAMING)));
    assertFalse(modesByTarget.get("UsesSdkHarnessEnvironment").contains(RunMode.PORTABLE_PROCESS));
    // Portable runs start Beam's Java expansion service and run the Java cross-language cases.
    assertEquals(Set.of(RunMode.BATCH, RunMode.STREAMING), modesByTarget.get("UsesExternalService"));
    // The cross-language categories are covered as subcategories of UsesExternalService.
    assertTrue(org.apache.beam.sdk.testing.UsesExternalService.class.isAssignableFrom(
        org.apache.beam.sdk.testing.UsesJavaExpansionService.class));
    assertTrue(org.apache.beam.sdk.testing.UsesExternalService.class.isAssignableFrom(
        org.apache.beam.sdk.testing.UsesPythonExpansionService.class));
  }

  private static Exclusions parse(String... lines) {
    return Exclusions.parse(List.of(lines), "test");
  }
}

package io.sluice.validatesrunner;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.apache.beam.sdk.transforms.CombineTest;
import org.apache.beam.sdk.transforms.ParDoTest;
import org.junit.jupiter.api.Test;

class TestSelectionTest {

  private static final VrTestMethod TIMER_TEST =
      new VrTestMethod(ParDoTest.TimerTests.class, "testEventTimeTimerBounded", Set.of());
  private static final VrTestMethod COMBINE_TEST =
      new VrTestMethod(CombineTest.BasicTests.class, "testSimpleCombine", Set.of());
  private static final VrTestMethod OTHER_COMBINE_TEST =
      new VrTestMethod(CombineTest.BasicTests.class, "testSimpleCombineEmpty", Set.of());

  @Test
  void blankSelectsAll() {
    for (String spec : new String[] {null, "", "  "}) {
      TestSelection selection = TestSelection.parse(spec);
      assertTrue(selection.selectsAll());
      assertTrue(selection.selects(TIMER_TEST));
    }
  }

  @Test
  void matchesClassesBySimpleOrFullName() {
    assertTrue(TestSelection.parse("ParDoTest$TimerTests").selects(TIMER_TEST));
    assertTrue(
        TestSelection.parse("org.apache.beam.sdk.transforms.ParDoTest$TimerTests")
            .selects(TIMER_TEST));
    assertTrue(TestSelection.parse("ParDoTest$*").selects(TIMER_TEST));
    assertFalse(TestSelection.parse("ParDoTest").selects(TIMER_TEST));
    assertFalse(TestSelection.parse("ParDoTest$TimerTests").selects(COMBINE_TEST));
  }

  @Test
  void matchesMethods() {
    TestSelection selection = TestSelection.parse("*CombineTest*#testSimpleCombine");

    assertTrue(selection.selects(COMBINE_TEST));
    assertFalse(selection.selects(OTHER_COMBINE_TEST));
    assertTrue(
        TestSelection.parse("CombineTest$BasicTests#testSimpleCombine*")
            .selects(OTHER_COMBINE_TEST));
  }

  @Test
  void classGlobDoesNotMatchMethodNames() {
    assertFalse(TestSelection.parse("*Bounded").selects(TIMER_TEST));
  }

  @Test
  void anyOfSeveralGlobsSelects() {
    TestSelection selection = TestSelection.parse("ParDoTest$TimerTests, *#testSimpleCombine");

    assertTrue(selection.selects(TIMER_TEST));
    assertTrue(selection.selects(COMBINE_TEST));
    assertFalse(selection.selects(OTHER_COMBINE_TEST));
  }
}

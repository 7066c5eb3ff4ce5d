package io.sluice.translation.operators.dofn;

import org.apache.beam.runners.core.DoFnRunner;
import org.apache.beam.runners.core.DoFnRunners;
import org.apache.beam.runners.core.StateNamespaces;
import org.apache.beam.runners.core.StatefulDoFnRunner;
import org.apache.beam.runners.core.StepContext;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * A DoFn with state or timers as runners-core runs it, whichever mode the operator serves: the
 * operator brings only the key's state and timers (a {@link StepContext}) and decides when timers
 * fire; dropping late input, clearing an expired window's state and sorting input by time are
 * runners-core's.
 */
public final class StatefulDoFns {

  private StatefulDoFns() {}

  /** Wraps {@code simple}, the DoFn's own runner, in runners-core's stateful runner over {@code keyed}'s state and timers. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static DoFnRunner<Object, Object> runner(DoFnSpec spec, DoFn<Object, Object> fn, DoFnRunner<Object, Object> simple,
      StepContext keyed) {
    WindowingStrategy<?, ?> windowing = spec.windowingStrategy();
    Coder<BoundedWindow> windowCoder = (Coder<BoundedWindow>) windowing.getWindowFn().windowCoder();
    return DoFnRunners.defaultStatefulDoFnRunner(
        fn,
        (Coder<Object>) spec.inputCoder(),
        simple,
        keyed,
        windowing,
        new StatefulDoFnRunner.TimeInternalsCleanupTimer<>(keyed.timerInternals(), windowing),
        new StatefulDoFnRunner.StateInternalsStateCleaner<>(fn, keyed.stateInternals(), windowCoder),
        // @RequiresTimeSortedInput is supported: the stateful runner buffers such input in the key's
        // state and releases it in time order as event time passes, in either mode.
        true);
  }

  /** Delivers a fired timer of {@code key} to the DoFn, in the window whose namespace it was set in. */
  public static void fireTimer(DoFnRunner<Object, Object> runner, Object key, TimerData timer) {
    BoundedWindow window = ((StateNamespaces.WindowNamespace<?>) timer.getNamespace()).getWindow();
    runner.onTimer(timer.getTimerId(), timer.getTimerFamilyId(), key, window, timer.getTimestamp(),
        timer.getOutputTimestamp(), timer.getDomain());
  }
}

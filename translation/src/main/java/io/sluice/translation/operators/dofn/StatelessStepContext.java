package io.sluice.translation.operators.dofn;

import org.apache.beam.runners.core.InMemoryBundleFinalizer;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StepContext;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.sdk.transforms.DoFn.BundleFinalizer;

/** The step context of a DoFn without state or timers: only bundle finalization. */
public final class StatelessStepContext implements StepContext {

  /** Callbacks the DoFn registers: derived, per bundle (the DoFn instance runs and clears them as it ends). */
  private final InMemoryBundleFinalizer finalizer;

  public StatelessStepContext(InMemoryBundleFinalizer finalizer) {
    this.finalizer = finalizer;
  }

  @Override
  public StateInternals stateInternals() {
    throw new UnsupportedOperationException("a ParDo without state has no state");
  }

  @Override
  public TimerInternals timerInternals() {
    throw new UnsupportedOperationException("a ParDo without timers has no timers");
  }

  @Override
  public BundleFinalizer bundleFinalizer() {
    return finalizer;
  }
}

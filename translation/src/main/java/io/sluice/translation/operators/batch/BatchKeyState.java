package io.sluice.translation.operators.batch;

import org.apache.beam.runners.core.InMemoryBundleFinalizer;
import org.apache.beam.runners.core.InMemoryStateInternals;
import org.apache.beam.runners.core.InMemoryTimerInternals;
import org.apache.beam.runners.core.StateInternals;
import org.apache.beam.runners.core.StateNamespace;
import org.apache.beam.runners.core.StateTag;
import org.apache.beam.runners.core.StepContext;
import org.apache.beam.runners.core.TimerInternals;
import org.apache.beam.sdk.state.State;
import org.apache.beam.sdk.state.StateContext;
import org.apache.beam.sdk.state.TimeDomain;
import org.joda.time.Instant;

/**
 * State and timers of the key a batch stateful ParDo is on, on the heap and fresh for each key.
 * Runners-core helpers hold on to one StateInternals and one TimerInternals; these forward to
 * whichever key is current, as a keyed backend does.
 */
final class BatchKeyState implements StepContext {

  /** Callbacks the DoFn registers: derived, per bundle (the DoFn instance runs and clears them as it ends). */
  private final InMemoryBundleFinalizer bundleFinalizer = new InMemoryBundleFinalizer();
  /** The current key's state: derived, on the heap (a batch job reruns), per key. */
  private InMemoryStateInternals<Object> state;
  /** The current key's timers: derived, per key; every one fires once the key's input is done. */
  private InMemoryTimerInternals timers;

  private final StateInternals stateView = new StateInternals() {
    @Override
    public Object getKey() {
      return state.getKey();
    }

    @Override
    public <T extends State> T state(StateNamespace namespace, StateTag<T> address, StateContext<?> c) {
      return state.state(namespace, address, c);
    }
  };

  private final TimerInternals timerView = new TimerInternals() {
    @Override
    public void setTimer(StateNamespace namespace, String timerId, String timerFamilyId, Instant target,
        Instant outputTimestamp, TimeDomain timeDomain) {
      timers.setTimer(namespace, timerId, timerFamilyId, target, outputTimestamp, timeDomain);
    }

    @Override
    @SuppressWarnings("deprecation")
    public void setTimer(TimerData timerData) {
      timers.setTimer(timerData);
    }

    @Override
    public void deleteTimer(StateNamespace namespace, String timerId, String timerFamilyId, TimeDomain timeDomain) {
      timers.deleteTimer(namespace, timerId, timerFamilyId, timeDomain);
    }

    @Override
    @SuppressWarnings("deprecation")
    public void deleteTimer(StateNamespace namespace, String timerId, String timerFamilyId) {
      timers.deleteTimer(namespace, timerId, timerFamilyId);
    }

    @Override
    @SuppressWarnings("deprecation")
    public void deleteTimer(TimerData timerKey) {
      timers.deleteTimer(timerKey);
    }

    @Override
    public Instant currentProcessingTime() {
      return timers.currentProcessingTime();
    }

    @Override
    public Instant currentSynchronizedProcessingTime() {
      return timers.currentSynchronizedProcessingTime();
    }

    @Override
    public Instant currentInputWatermarkTime() {
      return timers.currentInputWatermarkTime();
    }

    @Override
    public Instant currentOutputWatermarkTime() {
      return timers.currentOutputWatermarkTime();
    }
  };

  /** Makes {@code key} current, with empty state and no timers (batch sees each key once). */
  void startKey(Object key) throws Exception {
    state = InMemoryStateInternals.forKey(key);
    timers = new InMemoryTimerInternals();
    // Processing-time timers are set relative to now; batch fires them all once the input ends.
    timers.advanceProcessingTime(Instant.now());
    timers.advanceSynchronizedProcessingTime(Instant.now());
  }

  InMemoryTimerInternals currentTimers() {
    return timers;
  }

  Object currentKey() {
    return state.getKey();
  }

  @Override
  public InMemoryBundleFinalizer bundleFinalizer() {
    return bundleFinalizer;
  }

  @Override
  public StateInternals stateInternals() {
    return stateView;
  }

  @Override
  public TimerInternals timerInternals() {
    return timerView;
  }
}

package io.sluice.translation.operators.batch;

import org.apache.beam.runners.core.InMemoryTimerInternals;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;

/**
 * Ends time for one key of a batch operator: once the key's input is complete the watermark and
 * the clocks jump to the end of time, and timers fire in timestamp order until none is left (a
 * timer set while others fire, even an earlier one, is picked up in order).
 */
final class BatchTimers {

  /** What a fired timer does. */
  interface Firing {
    void fire(TimerData timer) throws Exception;
  }

  private BatchTimers() {}

  static void fireAll(InMemoryTimerInternals timers, Firing firing) throws Exception {
    timers.advanceInputWatermark(BoundedWindow.TIMESTAMP_MAX_VALUE);
    timers.advanceProcessingTime(BoundedWindow.TIMESTAMP_MAX_VALUE);
    timers.advanceSynchronizedProcessingTime(BoundedWindow.TIMESTAMP_MAX_VALUE);
    boolean fired;
    do {
      fired = false;
      TimerData timer;
      while ((timer = timers.removeNextEventTimer()) != null) {
        firing.fire(timer);
        fired = true;
      }
      while ((timer = timers.removeNextProcessingTimer()) != null) {
        firing.fire(timer);
        fired = true;
      }
      while ((timer = timers.removeNextSynchronizedProcessingTimer()) != null) {
        firing.fire(timer);
        fired = true;
      }
    } while (fired);
  }
}

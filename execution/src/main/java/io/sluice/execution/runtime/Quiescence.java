package io.sluice.execution.runtime;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether a job has settled everywhere: every subtask has started (what operators without input
 * emit at the start is out) and no frame is pending at any gate. A test stream waits for this
 * before each of its events, so that each lands on a job that has had all effects of the last.
 * Tracked only for jobs with in-band processing time; ordinary jobs never pay for it.
 */
public final class Quiescence {

  /** Frames sent to any gate and not yet handled with all they caused sent on: derived, job-long. */
  private final AtomicLong inFlight = new AtomicLong();
  /** Subtasks that have not yet run their start: derived, set at launch. */
  private final AtomicInteger starting;

  Quiescence(int subtasks) {
    this.starting = new AtomicInteger(subtasks);
  }

  /** The counter every gate of the job adds its pending frames to. */
  AtomicLong inFlight() {
    return inFlight;
  }

  /** A subtask started: its operators without input have emitted what they had. */
  public void subtaskStarted() {
    starting.decrementAndGet();
  }

  public boolean isQuiescent() {
    return starting.get() == 0 && inFlight.get() == 0;
  }
}

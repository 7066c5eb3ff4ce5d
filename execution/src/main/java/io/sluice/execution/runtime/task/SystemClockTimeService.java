package io.sluice.execution.runtime.task;

import java.util.HashSet;
import java.util.PriorityQueue;
import java.util.Set;

/** Processing time is the system clock; callbacks fire when their time has come. */
final class SystemClockTimeService implements ProcessingTimeService {

  private record Callback(long time, ChainedOperator operator) {}

  /** Callbacks asked for and not yet due: derived, lost with the subtask (operators re-ask on restore). */
  private final PriorityQueue<Callback> scheduled = new PriorityQueue<>((a, b) -> Long.compare(a.time, b.time));
  /**
   * The same callbacks, to answer one asked again at the same time once: an operator that asks for
   * its next time whenever it idles would otherwise grow the queue by hundreds a second, and the
   * subtask would spend itself calling back (a Python job with a PeriodicImpulse stalled so).
   */
  private final Set<Callback> pending = new HashSet<>();

  @Override
  public long now(ChainedOperator operator) {
    return System.currentTimeMillis();
  }

  @Override
  public void schedule(ChainedOperator operator, long time) {
    Callback callback = new Callback(time, operator);
    if (pending.add(callback)) {
      scheduled.add(callback);
    }
  }

  @Override
  public ChainedOperator pollDue(long upTo) {
    Callback first = scheduled.peek();
    if (first == null || first.time > upTo) {
      return null;
    }
    Callback due = scheduled.poll();
    pending.remove(due);
    return due.operator;
  }

  @Override
  public long nextDue() {
    Callback first = scheduled.peek();
    return first == null ? Long.MAX_VALUE : first.time;
  }
}

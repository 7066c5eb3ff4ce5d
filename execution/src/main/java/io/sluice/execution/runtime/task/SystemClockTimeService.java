package io.sluice.execution.runtime.task;

import java.util.PriorityQueue;

/** Processing time is the system clock; callbacks fire when their time has come. */
final class SystemClockTimeService implements ProcessingTimeService {

  private record Callback(long time, ChainedOperator operator) {}

  /** Callbacks asked for and not yet due: derived, lost with the subtask (operators re-ask on restore). */
  private final PriorityQueue<Callback> scheduled = new PriorityQueue<>((a, b) -> Long.compare(a.time, b.time));

  @Override
  public long now(ChainedOperator operator) {
    return System.currentTimeMillis();
  }

  @Override
  public void schedule(ChainedOperator operator, long time) {
    scheduled.add(new Callback(time, operator));
  }

  @Override
  public ChainedOperator pollDue(long upTo) {
    Callback first = scheduled.peek();
    if (first == null || first.time > upTo) {
      return null;
    }
    return scheduled.poll().operator;
  }

  @Override
  public long nextDue() {
    Callback first = scheduled.peek();
    return first == null ? Long.MAX_VALUE : first.time;
  }
}

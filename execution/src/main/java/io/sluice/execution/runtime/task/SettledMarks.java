package io.sluice.execution.runtime.task;

import io.sluice.execution.channel.InputGate;

/**
 * When each producer in another process was last settled, by input channel of one subtask: how far
 * synchronized processing time may go there (see
 * {@link io.sluice.execution.operator.OperatorContext#synchronizedProcessingTime}). A producer in
 * this process has its gate looked at instead and marks nothing; neither does one whose stream
 * ended. Clocks of other hosts may differ: a mark only ever holds the time back, never moves it on.
 *
 * <p>Derived, owned by the subtask's thread, lives as long as the subtask.
 */
final class SettledMarks {

  /** By channel: the latest mark; MAX_VALUE where nothing holds the time back. */
  private final long[] marks;

  SettledMarks(InputGate gate) {
    this.marks = new long[gate.channelCount()];
    for (int c = 0; c < marks.length; c++) {
      // Nothing is known of a remote producer until its first mark.
      marks[c] = gate.carriesSettledMarks(c) ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  void mark(int channel, long time) {
    marks[channel] = Math.max(marks[channel], time);
  }

  void ended(int channel) {
    marks[channel] = Long.MAX_VALUE;
  }

  /** The earliest time a producer in another process was last settled; MAX_VALUE if none is running. */
  long bound() {
    long bound = Long.MAX_VALUE;
    for (long mark : marks) {
      bound = Math.min(bound, mark);
    }
    return bound;
  }
}

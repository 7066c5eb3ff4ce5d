package io.sluice.execution.runtime.task;

import java.util.ArrayList;
import java.util.List;

/**
 * How far the input of one operator has come: its watermark over all feeders and per input port,
 * its in-band processing time, and how many feeders have yet to finish, overall and per port. A
 * feeder is a slot: each chained producer, and each producing subtask of each incoming channel.
 * Derived from the frames seen since the subtask started; owned by the subtask's thread.
 */
final class OperatorProgress {

  /** Collects an operator's feeders while the chain is wired. */
  static final class Builder {
    private final List<Integer> slotPorts = new ArrayList<>();

    /** Adds {@code count} feeders of input port {@code port}; returns the first one's slot. */
    int addFeeders(int port, int count) {
      int first = slotPorts.size();
      for (int i = 0; i < count; i++) {
        slotPorts.add(port);
      }
      return first;
    }

    /** @param startMillis where in-band processing time starts, for every feeder at once */
    OperatorProgress build(long startMillis) {
      return new OperatorProgress(slotPorts, startMillis);
    }
  }

  private final int[] slotPort;
  /** Each slot's index among its port's slots. */
  private final int[] slotInPort;
  private final WatermarkTracker watermark;
  private final WatermarkTracker[] portWatermarks;
  private final WatermarkTracker processingTime;
  private int remainingFeeders;
  private final int[] remainingPortFeeders;

  private OperatorProgress(List<Integer> slotPorts, long startMillis) {
    int slots = slotPorts.size();
    int ports = 0;
    for (int port : slotPorts) {
      ports = Math.max(ports, port + 1);
    }
    this.slotPort = new int[slots];
    this.slotInPort = new int[slots];
    this.remainingPortFeeders = new int[ports];
    for (int slot = 0; slot < slots; slot++) {
      int port = slotPorts.get(slot);
      slotPort[slot] = port;
      slotInPort[slot] = remainingPortFeeders[port]++;
    }
    this.remainingFeeders = slots;
    this.watermark = new WatermarkTracker(slots);
    this.portWatermarks = new WatermarkTracker[ports];
    for (int port = 0; port < ports; port++) {
      portWatermarks[port] = new WatermarkTracker(remainingPortFeeders[port]);
    }
    // A feeder that has not spoken yet (an idle source subtask) must not hold in-band time at the
    // beginning of time.
    this.processingTime = new WatermarkTracker(slots, startMillis);
  }

  int portOf(int slot) {
    return slotPort[slot];
  }

  /** Records a feeder's watermark; true if its port's watermark advanced. */
  boolean advancePortWatermark(int slot, long watermark) {
    return portWatermarks[slotPort[slot]].update(slotInPort[slot], watermark);
  }

  int ports() {
    return portWatermarks.length;
  }

  long portWatermark(int port) {
    return portWatermarks[port].current();
  }

  /** Records a feeder's watermark; true if the operator's watermark advanced. */
  boolean advanceWatermark(int slot, long watermark) {
    return this.watermark.update(slot, watermark);
  }

  /**
   * The operator's input watermark was {@code restored} at the checkpoint it restores from: no
   * feeder may take it back (records that were late then are late now).
   */
  void restoreWatermark(long restored) {
    watermark.raiseAll(restored);
    for (WatermarkTracker port : portWatermarks) {
      port.raiseAll(restored);
    }
  }

  long watermark() {
    return watermark.current();
  }

  /** Records a feeder's in-band processing time; true if the operator's advanced. */
  boolean advanceProcessingTime(int slot, long time) {
    return processingTime.update(slot, time);
  }

  long processingTime() {
    return processingTime.current();
  }

  /** Counts a finished feeder; true if it was the last of its port. */
  boolean feederDone(int slot) {
    remainingFeeders--;
    return --remainingPortFeeders[slotPort[slot]] == 0;
  }

  boolean allFeedersDone() {
    return remainingFeeders == 0;
  }
}

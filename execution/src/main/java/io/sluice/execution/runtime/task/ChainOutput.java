package io.sluice.execution.runtime.task;

import io.sluice.execution.channel.RecordWriter;
import io.sluice.execution.operator.Output;
import io.sluice.execution.runtime.OperatorException;
import java.util.Arrays;

/**
 * The output of one operator: direct calls into the operators chained to it, writes into the
 * record writers of its channel edges, per output port. Time and the end of stream go to both.
 */
final class ChainOutput implements Output {

  /** A chained consumer of an output port: the operator, its input port, and its feeder slot for us. */
  record Target(int fromPort, ChainedOperator operator, int port, int slot) {}

  private static final Target[] NO_TARGETS = new Target[0];

  private final Target[] chained;
  private final Target[][] chainedByPort;
  private final RecordWriter[][] writersByPort;
  private final RecordWriter[] writers;

  ChainOutput(Target[] chained, RecordWriter[][] writersByPort) {
    this.chained = chained;
    this.writersByPort = writersByPort;
    int maxPort = writersByPort.length - 1;
    for (Target t : chained) {
      maxPort = Math.max(maxPort, t.fromPort);
    }
    this.chainedByPort = new Target[maxPort + 1][];
    Arrays.fill(chainedByPort, NO_TARGETS);
    for (Target t : chained) {
      Target[] old = chainedByPort[t.fromPort];
      Target[] grown = Arrays.copyOf(old, old.length + 1);
      grown[old.length] = t;
      chainedByPort[t.fromPort] = grown;
    }
    this.writers = Arrays.stream(writersByPort).filter(w -> w != null).flatMap(Arrays::stream).toArray(RecordWriter[]::new);
  }

  @Override
  public void emit(int outputPort, Object record) throws InterruptedException {
    if (outputPort < chainedByPort.length) {
      for (Target t : chainedByPort[outputPort]) {
        try {
          t.operator.process(t.port, record);
        } catch (RuntimeException | InterruptedException e) {
          throw e;
        } catch (Exception e) {
          throw new OperatorException(e);
        }
      }
    }
    if (outputPort < writersByPort.length && writersByPort[outputPort] != null) {
      for (RecordWriter w : writersByPort[outputPort]) {
        w.write(record);
      }
    }
  }

  @Override
  public void emitWatermark(long watermark) throws InterruptedException {
    for (Target t : chained) {
      try {
        t.operator.advanceWatermark(t.slot, watermark);
      } catch (RuntimeException | InterruptedException e) {
        throw e;
      } catch (Exception e) {
        throw new OperatorException(e);
      }
    }
    for (RecordWriter w : writers) {
      w.watermark(watermark);
    }
  }

  @Override
  public void emitProcessingTime(long time) throws InterruptedException {
    forwardProcessingTime(time);
  }

  void forwardProcessingTime(long time) throws InterruptedException {
    for (Target t : chained) {
      try {
        t.operator.advanceProcessingTime(t.slot, time);
      } catch (RuntimeException | InterruptedException e) {
        throw e;
      } catch (Exception e) {
        throw new OperatorException(e);
      }
    }
    for (RecordWriter w : writers) {
      w.processingTime(time);
    }
  }

  /** The operator finished: every chained consumer and channel sees the end of its stream. */
  void end() throws Exception {
    for (Target t : chained) {
      t.operator.feederDone(t.slot);
    }
    for (RecordWriter w : writers) {
      w.end();
    }
  }
}

package io.sluice.execution.runtime.task;

import io.sluice.execution.channel.RecordWriter;
import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.Output;
import io.sluice.execution.runtime.OperatorException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * The output of one operator: direct calls into the operators chained to it, writes into the
 * record writers of its channel edges, per output port. Time and the end of stream go to both.
 */
final class ChainOutput implements Output {

  /** A chained consumer of an output port: the operator, its input port, and its feeder slot for us. */
  record Target(int fromPort, ChainedOperator operator, int port, int slot) {}

  /** The record writer of a channel edge that leaves from output port {@code fromPort}. */
  record PortWriter(int fromPort, RecordWriter writer) {}

  private final Target[] chained;
  /** Per output port, its chained consumers. */
  private final Target[][] chainedByPort;
  /**
   * The chained operators of each output port and their input ports, bound once every operator is
   * open: a record goes straight into the next operator, with no engine frame between (fused
   * chains of user code are deep, and every frame counts against the JIT's inlining depth).
   */
  private Operator[][] operatorsByPort;
  private int[][] inputPortsByPort;
  /** Per output port, its record writers; as many ports as {@link #chainedByPort}. */
  private final RecordWriter[][] writersByPort;
  private final RecordWriter[] writers;

  ChainOutput(List<Target> chained, List<PortWriter> writers) {
    this.chained = chained.toArray(new Target[0]);
    this.writers = writers.stream().map(PortWriter::writer).toArray(RecordWriter[]::new);
    int ports = 1 + Math.max(chained.stream().mapToInt(Target::fromPort).max().orElse(-1),
        writers.stream().mapToInt(PortWriter::fromPort).max().orElse(-1));
    this.chainedByPort = byPort(chained, Target::fromPort, ports).stream()
        .map(targets -> targets.toArray(new Target[0])).toArray(Target[][]::new);
    this.writersByPort = byPort(writers, PortWriter::fromPort, ports).stream()
        .map(port -> port.stream().map(PortWriter::writer).toArray(RecordWriter[]::new)).toArray(RecordWriter[][]::new);
  }

  private static <T> List<List<T>> byPort(List<T> items, ToIntFunction<T> port, int ports) {
    List<List<T>> byPort = new ArrayList<>();
    for (int p = 0; p < ports; p++) {
      byPort.add(new ArrayList<>());
    }
    for (T item : items) {
      byPort.get(port.applyAsInt(item)).add(item);
    }
    return byPort;
  }

  /** Resolves the chained operators, once all are open. */
  void bind() {
    operatorsByPort = new Operator[chainedByPort.length][];
    inputPortsByPort = new int[chainedByPort.length][];
    for (int p = 0; p < chainedByPort.length; p++) {
      Target[] targets = chainedByPort[p];
      operatorsByPort[p] = new Operator[targets.length];
      inputPortsByPort[p] = new int[targets.length];
      for (int i = 0; i < targets.length; i++) {
        operatorsByPort[p][i] = targets[i].operator.operator();
        inputPortsByPort[p][i] = targets[i].port;
      }
    }
  }

  @Override
  public void emit(int outputPort, Object record) throws InterruptedException {
    if (outputPort >= writersByPort.length) {
      return;
    }
    Operator[] operators = operatorsByPort[outputPort];
    int[] inputPorts = inputPortsByPort[outputPort];
    for (int i = 0; i < operators.length; i++) {
      try {
        operators[i].process(inputPorts[i], record);
      } catch (RuntimeException | InterruptedException e) {
        throw e;
      } catch (Exception e) {
        throw new OperatorException(e);
      }
    }
    for (RecordWriter w : writersByPort[outputPort]) {
      w.write(record);
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

  /** A checkpoint barrier on every channel (chained operators snapshot on the same thread instead). */
  void barrier(long checkpointId) throws InterruptedException {
    for (RecordWriter w : writers) {
      w.barrier(checkpointId);
    }
  }

  /** The subtask was settled at {@code time}: consumers in other processes are told (see {@link RecordWriter#settled}). */
  void settled(long time) throws InterruptedException {
    for (RecordWriter w : writers) {
      w.settled(time);
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

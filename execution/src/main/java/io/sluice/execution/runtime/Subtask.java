package io.sluice.execution.runtime;

import io.sluice.execution.channel.ChannelWriter;
import io.sluice.execution.channel.Frame;
import io.sluice.execution.channel.InputQueue;
import io.sluice.execution.graph.Edge;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.execution.operator.Output;
import io.sluice.execution.state.KeyedStateBackend;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One parallel instance of a vertex, run by one thread that owns all its operators: records of
 * every incoming channel arrive through one bounded inbox and are pushed through the fused chain by
 * direct calls.
 */
final class Subtask implements Runnable {

  /** A chained consumer of an operator's output port. */
  private static final class ChainTarget {
    final int fromPort;
    final int operator;
    final int port;
    final int slot;

    ChainTarget(int fromPort, int operator, int port, int slot) {
      this.fromPort = fromPort;
      this.operator = operator;
      this.port = port;
      this.slot = slot;
    }
  }

  private static final ChainTarget[] NO_TARGETS = new ChainTarget[0];
  private static final ChannelWriter[] NO_WRITERS = new ChannelWriter[0];

  private final JobExecution job;
  private final Vertex vertex;
  private final int index;
  private final InputQueue inbox;
  private final Operator[] operators;
  private final OperatorOutput[] outputs;
  private final WatermarkTracker[] watermarks;
  private final int[] remainingFeeders;
  private final int[][] remainingPortFeeders;
  private final boolean[] completed;
  private int remainingOperators;

  // Incoming channels, indexed by the channel number frames carry.
  private final int[] channelOperator;
  private final int[] channelPort;
  private final int[] channelSlotBase;

  private final List<ChannelWriter> allWriters = new ArrayList<>();
  private volatile long recordsIn;
  private boolean opened;

  Subtask(JobExecution job, Vertex vertex, int index, InputQueue inbox) {
    this.job = job;
    this.vertex = vertex;
    this.index = index;
    this.inbox = inbox;
    int n = vertex.operators().size();
    this.operators = new Operator[n];
    this.outputs = new OperatorOutput[n];
    this.watermarks = new WatermarkTracker[n];
    this.remainingFeeders = new int[n];
    this.remainingPortFeeders = new int[n][];
    this.completed = new boolean[n];
    this.remainingOperators = n;

    List<Edge> incoming = job.graph().incomingChannels(vertex);
    this.channelOperator = new int[incoming.size()];
    this.channelPort = new int[incoming.size()];
    this.channelSlotBase = new int[incoming.size()];

    // Feeder slots of each operator: one per chained producer, one per producing subtask of a channel.
    int[] slotCount = new int[n];
    List<List<ChainTarget>> chainTargets = new ArrayList<>();
    List<List<ChannelWriter>> writers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      chainTargets.add(new ArrayList<>());
      writers.add(new ArrayList<>());
      remainingPortFeeders[i] = new int[0];
    }
    for (Edge e : job.graph().edges()) {
      if (e.isChained() && e.to().vertex() == vertex) {
        int to = e.to().index();
        chainTargets.get(e.from().index()).add(new ChainTarget(e.fromPort(), to, e.toPort(), slotCount[to]++));
        addFeeders(to, e.toPort(), 1);
      }
    }
    for (int c = 0; c < incoming.size(); c++) {
      Edge e = incoming.get(c);
      int to = e.to().index();
      int producers = e.from().vertex().parallelism();
      channelOperator[c] = to;
      channelPort[c] = e.toPort();
      channelSlotBase[c] = slotCount[to];
      slotCount[to] += producers;
      addFeeders(to, e.toPort(), producers);
    }
    for (Edge e : job.graph().outgoingChannels(vertex)) {
      ChannelWriter w = job.channelWriter(e, index);
      writers.get(e.from().index()).add(w);
      allWriters.add(w);
    }
    for (int i = 0; i < n; i++) {
      watermarks[i] = new WatermarkTracker(slotCount[i]);
      outputs[i] = new OperatorOutput(chainTargets.get(i), chainedPorts(vertex, i, writers.get(i), job));
    }
  }

  private void addFeeders(int operator, int port, int count) {
    remainingFeeders[operator] += count;
    if (remainingPortFeeders[operator].length <= port) {
      remainingPortFeeders[operator] = java.util.Arrays.copyOf(remainingPortFeeders[operator], port + 1);
    }
    remainingPortFeeders[operator][port] += count;
  }

  /** The channel writers of operator {@code op}, grouped by the output port they serve. */
  private static ChannelWriter[][] chainedPorts(Vertex vertex, int op, List<ChannelWriter> writers, JobExecution job) {
    List<Edge> outgoing = job.graph().outgoingChannels(vertex);
    int maxPort = -1;
    for (Edge e : outgoing) {
      if (e.from().index() == op) {
        maxPort = Math.max(maxPort, e.fromPort());
      }
    }
    ChannelWriter[][] byPort = new ChannelWriter[maxPort + 1][];
    int w = 0;
    for (Edge e : outgoing) {
      if (e.from().index() == op) {
        ChannelWriter[] old = byPort[e.fromPort()] == null ? NO_WRITERS : byPort[e.fromPort()];
        ChannelWriter[] grown = java.util.Arrays.copyOf(old, old.length + 1);
        grown[old.length] = writers.get(w++);
        byPort[e.fromPort()] = grown;
      }
    }
    return byPort;
  }

  String name() {
    return vertex.name() + "#" + index;
  }

  long recordsIn() {
    return recordsIn;
  }

  @Override
  public void run() {
    Throwable failure = null;
    try {
      for (int i = 0; i < operators.length; i++) {
        OperatorNode node = vertex.operators().get(i);
        operators[i] = node.factory().create(index);
        operators[i].open(new Context(node, outputs[i]));
      }
      job.subtaskOpened();
      opened = true;
      job.awaitAllOpened();
      for (int i = 0; i < operators.length; i++) {
        if (!completed[i] && remainingFeeders[i] == 0) {
          completeOperator(i);
        }
      }
      while (remainingOperators > 0) {
        // Checked per frame, not only when idle: a busy subtask must stop promptly too.
        job.checkNotCancelled();
        Frame frame = inbox.poll();
        if (frame == null) {
          // About to wait: let downstream work on what is buffered rather than sit on it.
          for (ChannelWriter w : allWriters) {
            w.flush();
          }
          while (frame == null) {
            job.checkNotCancelled();
            frame = inbox.poll(100, TimeUnit.MILLISECONDS);
          }
        }
        handle(frame);
      }
    } catch (Throwable t) {
      failure = t;
    } finally {
      failure = closeOperators(failure);
      job.subtaskEnded(this, failure);
      if (!opened) {
        // Only now: the job has recorded this failure, so the subtasks released here stop at once.
        job.subtaskOpened();
      }
    }
  }

  private void handle(Frame frame) throws Exception {
    int c = frame.channel();
    int op = channelOperator[c];
    switch (frame.kind()) {
      case RECORDS:
        Operator operator = operators[op];
        int port = channelPort[c];
        Object[] records = frame.records();
        int count = frame.count();
        for (int i = 0; i < count; i++) {
          operator.process(port, records[i]);
        }
        recordsIn += count;
        break;
      case WATERMARK:
        advanceWatermark(op, channelSlotBase[c] + frame.sender(), frame.watermark());
        break;
      case END:
        feederDone(op, channelPort[c], channelSlotBase[c] + frame.sender());
        break;
      default:
        throw new IllegalStateException("unknown frame " + frame.kind());
    }
  }

  private void advanceWatermark(int op, int slot, long watermark) throws Exception {
    if (watermarks[op].update(slot, watermark)) {
      operators[op].watermark(watermarks[op].current());
    }
  }

  private void feederDone(int op, int port, int slot) throws Exception {
    advanceWatermark(op, slot, WatermarkTracker.END_OF_TIME);
    if (--remainingPortFeeders[op][port] == 0) {
      operators[op].inputDone(port);
    }
    if (--remainingFeeders[op] == 0) {
      completeOperator(op);
    }
  }

  private void completeOperator(int op) throws Exception {
    operators[op].complete();
    completed[op] = true;
    remainingOperators--;
    for (ChainTarget t : outputs[op].chained) {
      feederDone(t.operator, t.port, t.slot);
    }
    for (ChannelWriter[] port : outputs[op].channels) {
      if (port != null) {
        for (ChannelWriter w : port) {
          w.end();
        }
      }
    }
  }

  private Throwable closeOperators(Throwable failure) {
    for (Operator operator : operators) {
      if (operator == null) {
        continue;
      }
      try {
        operator.close();
      } catch (Throwable t) {
        if (failure == null) {
          failure = t;
        } else if (failure != t) {
          failure.addSuppressed(t);
        }
      }
    }
    return failure;
  }

  /** The output of one operator: direct calls into chained operators, writes into channels. */
  private final class OperatorOutput implements Output {
    final ChainTarget[] chained;
    final ChannelWriter[][] channels;
    final ChainTarget[][] chainedByPort;

    OperatorOutput(List<ChainTarget> chained, ChannelWriter[][] channels) {
      this.chained = chained.toArray(NO_TARGETS);
      this.channels = channels;
      int maxPort = channels.length - 1;
      for (ChainTarget t : this.chained) {
        maxPort = Math.max(maxPort, portOf(t));
      }
      this.chainedByPort = new ChainTarget[maxPort + 1][];
      for (ChainTarget t : this.chained) {
        int p = portOf(t);
        ChainTarget[] old = chainedByPort[p] == null ? NO_TARGETS : chainedByPort[p];
        ChainTarget[] grown = java.util.Arrays.copyOf(old, old.length + 1);
        grown[old.length] = t;
        chainedByPort[p] = grown;
      }
    }

    private int portOf(ChainTarget t) {
      return t.fromPort;
    }

    @Override
    public void emit(int outputPort, Object record) throws InterruptedException {
      if (outputPort < chainedByPort.length) {
        ChainTarget[] targets = chainedByPort[outputPort];
        if (targets != null) {
          for (ChainTarget t : targets) {
            try {
              operators[t.operator].process(t.port, record);
            } catch (RuntimeException | InterruptedException e) {
              throw e;
            } catch (Exception e) {
              throw new OperatorException(e);
            }
          }
        }
      }
      if (outputPort < channels.length) {
        ChannelWriter[] writers = channels[outputPort];
        if (writers != null) {
          for (ChannelWriter w : writers) {
            w.write(record);
          }
        }
      }
    }

    @Override
    public void emitWatermark(long watermark) throws InterruptedException {
      for (ChainTarget t : chained) {
        try {
          advanceWatermark(t.operator, t.slot, watermark);
        } catch (RuntimeException | InterruptedException e) {
          throw e;
        } catch (Exception e) {
          throw new OperatorException(e);
        }
      }
      for (ChannelWriter[] port : channels) {
        if (port != null) {
          for (ChannelWriter w : port) {
            w.watermark(watermark);
          }
        }
      }
    }
  }

  private final class Context implements OperatorContext {
    private final OperatorNode node;
    private final Output output;
    private Path spillDirectory;

    Context(OperatorNode node, Output output) {
      this.node = node;
      this.output = output;
    }

    @Override
    public String vertexName() {
      return vertex.name();
    }

    @Override
    public String operatorName() {
      return node.name();
    }

    @Override
    public int subtaskIndex() {
      return index;
    }

    @Override
    public int parallelism() {
      return vertex.parallelism();
    }

    @Override
    public Output output() {
      return output;
    }

    @Override
    public Path spillDirectory() {
      if (spillDirectory == null) {
        spillDirectory = job.operatorDirectory(vertex.id() + "-" + node.index() + "-" + index);
      }
      return spillDirectory;
    }

    @Override
    public long memoryBudgetBytes() {
      return job.config().operatorMemoryBudgetBytes();
    }

    @Override
    public <S> KeyedStateBackend<S> keyedStateBackend(Function<byte[], S> stateForKey) {
      return job.config().stateBackend().create(stateForKey);
    }

    @Override
    public boolean isCancelled() {
      return job.isCancelled();
    }
  }
}

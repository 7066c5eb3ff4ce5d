package io.sluice.execution.runtime.task;

import io.sluice.execution.channel.RecordSerializer;
import io.sluice.execution.channel.RecordWriter;
import io.sluice.execution.graph.Edge;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.operator.ProcessingTimeMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The operators of one subtask, wired: an edge inside the vertex becomes a direct call, an edge to
 * another vertex a record writer. Knows, for each input channel of the subtask's gate, which
 * operator, port and feeder slot it feeds. Owned by the subtask's thread.
 */
final class OperatorChain {

  /** Where the frames of one input channel go. */
  record ChannelTarget(ChainedOperator operator, int port, int slot, RecordSerializer serializer, String edge) {}

  private final ChainedOperator[] operators;
  private final ChannelTarget[] channelTargets;
  private final RecordWriter[] writers;
  private final boolean inBandTime;
  /** Operators not yet finished: derived, counts down to the subtask's end. */
  private int unfinished;

  /**
   * @param contexts makes the context of each operator, given the operator and its output
   */
  OperatorChain(Vertex vertex, int index, TaskEnvironment env, ContextFactory contexts) {
    int n = vertex.operators().size();
    this.inBandTime = env.config().processingTimeMode() == ProcessingTimeMode.IN_BAND;
    OperatorProgress.Builder[] progress = new OperatorProgress.Builder[n];
    for (int i = 0; i < n; i++) {
      progress[i] = new OperatorProgress.Builder();
    }
    // Feeder slots: chained producers first, then each producing subtask of each incoming channel
    // edge, in the order the job connected those channels to the gate.
    List<Edge> chainedEdges = new ArrayList<>();
    int[] chainedSlot = new int[0];
    for (Edge e : env.graph().edges()) {
      if (e.isChained() && e.to().vertex() == vertex) {
        chainedEdges.add(e);
        chainedSlot = Arrays.copyOf(chainedSlot, chainedSlot.length + 1);
        chainedSlot[chainedSlot.length - 1] = progress[e.to().index()].addFeeders(e.toPort(), 1);
      }
    }
    List<Edge> incoming = env.graph().incomingChannels(vertex);
    List<int[]> channelSlots = new ArrayList<>();
    for (Edge e : incoming) {
      int producers = e.from().vertex().parallelism();
      channelSlots.add(new int[] {progress[e.to().index()].addFeeders(e.toPort(), producers), producers});
    }
    this.operators = new ChainedOperator[n];
    for (int i = 0; i < n; i++) {
      operators[i] = new ChainedOperator(this, vertex.operators().get(i), progress[i].build(env.startMillis()));
    }
    List<ChannelTarget> targets = new ArrayList<>();
    for (int c = 0; c < incoming.size(); c++) {
      Edge e = incoming.get(c);
      int firstSlot = channelSlots.get(c)[0];
      for (int p = 0; p < channelSlots.get(c)[1]; p++) {
        targets.add(new ChannelTarget(operators[e.to().index()], e.toPort(), firstSlot + p, e.serializer(),
            e.toString()));
      }
    }
    this.channelTargets = targets.toArray(new ChannelTarget[0]);

    List<List<ChainOutput.Target>> chained = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      chained.add(new ArrayList<>());
    }
    for (int k = 0; k < chainedEdges.size(); k++) {
      Edge e = chainedEdges.get(k);
      chained.get(e.from().index()).add(
          new ChainOutput.Target(e.fromPort(), operators[e.to().index()], e.toPort(), chainedSlot[k]));
    }
    List<RecordWriter> allWriters = new ArrayList<>();
    RecordWriter[][][] byPort = new RecordWriter[n][0][];
    for (Edge e : env.graph().outgoingChannels(vertex)) {
      int from = e.from().index();
      RecordWriter w = env.recordWriter(e, index);
      allWriters.add(w);
      if (byPort[from].length <= e.fromPort()) {
        byPort[from] = Arrays.copyOf(byPort[from], e.fromPort() + 1);
      }
      RecordWriter[] old = byPort[from][e.fromPort()] == null ? new RecordWriter[0] : byPort[from][e.fromPort()];
      RecordWriter[] grown = Arrays.copyOf(old, old.length + 1);
      grown[old.length] = w;
      byPort[from][e.fromPort()] = grown;
    }
    this.writers = allWriters.toArray(new RecordWriter[0]);
    for (int i = 0; i < n; i++) {
      ChainOutput output = new ChainOutput(chained.get(i).toArray(new ChainOutput.Target[0]), byPort[i]);
      operators[i].wire(output, contexts.create(operators[i], output));
    }
    this.unfinished = n;
  }

  /** Makes an operator's context. */
  interface ContextFactory {
    SubtaskContext create(ChainedOperator operator, ChainOutput output);
  }

  ChainedOperator[] operators() {
    return operators;
  }

  /** Where the frames of gate channel {@code channel} go. */
  ChannelTarget channelTarget(int channel) {
    return channelTargets[channel];
  }

  int channelCount() {
    return channelTargets.length;
  }

  boolean isProcessingTimeInBand() {
    return inBandTime;
  }

  boolean isFinished() {
    return unfinished == 0;
  }

  void operatorFinished() {
    unfinished--;
  }

  /** No input is waiting: operators end their bundles, so downstream sees their output. */
  void idle() throws Exception {
    for (ChainedOperator op : operators) {
      if (!op.isFinished()) {
        op.operator().idle();
      }
    }
  }

  /**
   * Sends a checkpoint barrier on every channel of every operator still running (a finished one has
   * ended its channels), after everything the operators emitted before it.
   */
  void forwardBarrier(long checkpointId) throws InterruptedException {
    for (ChainedOperator op : operators) {
      if (!op.isFinished()) {
        op.output().barrier(checkpointId);
      }
    }
  }

  /** Sends every buffered record on (before waiting, and before time moves). */
  void flush() throws InterruptedException {
    for (RecordWriter w : writers) {
      w.flush();
    }
  }
}

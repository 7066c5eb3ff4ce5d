package io.sluice.execution.runtime.task;

import io.sluice.execution.channel.RecordSerializer;
import io.sluice.execution.channel.RecordWriter;
import io.sluice.execution.graph.Edge;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.operator.ProcessingTimeMode;
import java.util.ArrayList;
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
  /** Whether a writer has a consumer in another process (see {@link RecordWriter#settled}): fixed. */
  private final boolean marksSettled;
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
    List<Integer> chainedSlots = new ArrayList<>();
    for (Edge e : env.graph().edges()) {
      if (e.isChained() && e.to().vertex() == vertex) {
        chainedEdges.add(e);
        chainedSlots.add(progress[e.to().index()].addFeeders(e.toPort(), 1));
      }
    }
    List<Edge> incoming = env.graph().incomingChannels(vertex);
    List<Integer> firstChannelSlots = new ArrayList<>();
    for (Edge e : incoming) {
      firstChannelSlots.add(progress[e.to().index()].addFeeders(e.toPort(), e.from().vertex().parallelism()));
    }
    this.operators = new ChainedOperator[n];
    for (int i = 0; i < n; i++) {
      operators[i] = new ChainedOperator(this, vertex.operators().get(i), progress[i].build(env.startMillis()));
    }
    List<ChannelTarget> targets = new ArrayList<>();
    for (int c = 0; c < incoming.size(); c++) {
      Edge e = incoming.get(c);
      for (int p = 0; p < e.from().vertex().parallelism(); p++) {
        targets.add(new ChannelTarget(operators[e.to().index()], e.toPort(), firstChannelSlots.get(c) + p,
            e.serializer(), e.toString()));
      }
    }
    this.channelTargets = targets.toArray(new ChannelTarget[0]);

    List<List<ChainOutput.Target>> chained = new ArrayList<>();
    List<List<ChainOutput.PortWriter>> portWriters = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      chained.add(new ArrayList<>());
      portWriters.add(new ArrayList<>());
    }
    for (int k = 0; k < chainedEdges.size(); k++) {
      Edge e = chainedEdges.get(k);
      chained.get(e.from().index()).add(
          new ChainOutput.Target(e.fromPort(), operators[e.to().index()], e.toPort(), chainedSlots.get(k)));
    }
    List<RecordWriter> allWriters = new ArrayList<>();
    for (Edge e : env.graph().outgoingChannels(vertex)) {
      RecordWriter w = env.recordWriter(e, index);
      allWriters.add(w);
      portWriters.get(e.from().index()).add(new ChainOutput.PortWriter(e.fromPort(), w));
    }
    this.writers = allWriters.toArray(new RecordWriter[0]);
    this.marksSettled = allWriters.stream().anyMatch(RecordWriter::marksSettled);
    for (int i = 0; i < n; i++) {
      ChainOutput output = new ChainOutput(chained.get(i), portWriters.get(i));
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

  /** True while an operator has timers left due from a watermark (see {@link ChainedOperator#hasDueWork}). */
  boolean hasDueWork() {
    for (ChainedOperator op : operators) {
      if (op.hasDueWork()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Goes on with the first operator's due work: upstream first, since what it still fires comes
   * before the watermark that may make the next one fire.
   */
  void continueDueWork() throws Exception {
    for (ChainedOperator op : operators) {
      if (op.hasDueWork()) {
        op.continueDueWork();
        return;
      }
    }
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

  /** Records the writers sent on; read from other threads. */
  long recordsOut() {
    long records = 0;
    for (RecordWriter w : writers) {
      records += w.recordsOut();
    }
    return records;
  }

  /** The least watermark the writers sent on, or Long.MIN_VALUE if one has sent none (or there are none). */
  long outputWatermark() {
    long least = writers.length == 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    for (RecordWriter w : writers) {
      least = Math.min(least, w.lastWatermark());
    }
    return least;
  }

  /** The least watermark of the operators fed by channels: on the subtask's thread. */
  long inputWatermark() {
    long least = Long.MAX_VALUE;
    for (ChannelTarget target : channelTargets) {
      least = Math.min(least, target.operator().progress().watermark());
    }
    return least;
  }

  boolean marksSettled() {
    return marksSettled;
  }

  /**
   * Tells the consumers in other processes that this subtask was settled at clock reading
   * {@code time}, on the channels of every operator still running (a finished one has ended them).
   */
  void settled(long time) throws InterruptedException {
    for (ChainedOperator op : operators) {
      if (!op.isFinished()) {
        op.output().settled(time);
      }
    }
  }

  /** Whether every output channel could take a frame now (no backpressure). */
  boolean outputsHaveRoom() {
    for (RecordWriter w : writers) {
      if (!w.hasRoom()) {
        return false;
      }
    }
    return true;
  }

  /** Sends every buffered record on (before waiting, and before time moves). */
  void flush() throws InterruptedException {
    for (RecordWriter w : writers) {
      w.flush();
    }
  }
}

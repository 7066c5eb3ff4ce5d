package io.sluice.execution.runtime.task;

import io.sluice.execution.channel.InputGate;
import io.sluice.execution.checkpoint.OperatorRestore;
import io.sluice.execution.checkpoint.OperatorSnapshot;
import io.sluice.execution.graph.Edge;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.operator.ProcessingTimeMode;
import io.sluice.execution.runtime.JobCancelledException;
import io.sluice.execution.runtime.SubtaskProgress;
import java.util.ArrayList;
import java.util.List;

/**
 * One parallel instance of a vertex, run by one thread that owns all its operators from open to
 * close: the chain is opened, every subtask of the job waits for the others to be open, the
 * {@link TaskLoop} runs until every operator has finished, and the operators are closed, whatever
 * happened. Other threads reach it only through its mailbox.
 */
public final class Subtask implements Runnable {

  private final TaskEnvironment env;
  private final Vertex vertex;
  private final int index;
  private final TaskMailbox mailbox;
  private final OperatorChain chain;
  private final TaskLoop loop;

  public Subtask(TaskEnvironment env, Vertex vertex, int index) {
    this.env = env;
    this.vertex = vertex;
    this.index = index;
    InputGate gate = env.gate(vertex, index);
    this.mailbox = new TaskMailbox(gate);
    ProcessingTimeService time = env.config().processingTimeMode() == ProcessingTimeMode.IN_BAND
        ? new InBandTimeService()
        : new SystemClockTimeService();
    List<InputGate> feederGates = new ArrayList<>();
    for (Edge e : env.graph().incomingChannels(vertex)) {
      for (int p = 0; p < e.from().vertex().parallelism(); p++) {
        InputGate feeder = env.gate(e.from().vertex(), p);
        // A feeder in another process has no gate here: it marks in band when it was settled.
        if (feeder != null && !feederGates.contains(feeder)) {
          feederGates.add(feeder);
        }
      }
    }
    SettledMarks remoteFeeders = new SettledMarks(gate);
    this.chain = new OperatorChain(vertex, index, env,
        (operator, output) -> new SubtaskContext(env, this, operator, output, time, gate, feederGates, remoteFeeders));
    if (chain.channelCount() != gate.channelCount()) {
      throw new IllegalStateException("subtask " + name() + " expects " + chain.channelCount()
          + " input channels, its gate has " + gate.channelCount());
    }
    this.loop = new TaskLoop(chain, gate, mailbox, time, env.quiescence(), remoteFeeders, this::checkpoint);
    for (ChainedOperator op : chain.operators()) {
      op.context().restoreFrom(env.restoreFor(op.node(), index));
    }
  }

  public String name() {
    return vertex.name() + "#" + index;
  }

  Vertex vertex() {
    return vertex;
  }

  int index() {
    return index;
  }

  /** Records received over channels so far, for progress reports. */
  public long recordsIn() {
    return loop.recordsIn();
  }

  /** How far the subtask has come; safe from any thread. */
  public SubtaskProgress progress() {
    return new SubtaskProgress(name(), loop.recordsIn(), chain.recordsOut(), loop.inputWatermark(),
        chain.outputWatermark(), loop.backpressuredNanos() / 1_000_000L);
  }

  /** See {@link io.sluice.execution.operator.OperatorContext#shouldYield}. */
  boolean shouldYield() {
    return loop.shouldYield();
  }

  /** See {@link io.sluice.execution.operator.OperatorContext#flushOutputs}. */
  void flushOutputs() throws InterruptedException {
    loop.flushOutputs();
  }

  /** Stops the subtask at its next turn; a thread blocked in a send or in user code needs an interrupt too. */
  public void cancel(String reason) {
    mailbox.post(() -> {
      throw new JobCancelledException(reason);
    });
  }

  /**
   * The job asks for checkpoint {@code checkpointId}: a subtask whose inputs have all ended (a
   * source, or one whose producers have finished) starts it, the others align its barriers.
   */
  public void triggerCheckpoint(long checkpointId) {
    mailbox.post(() -> {
      if (!chain.isFinished()) {
        loop.checkpointTriggered(checkpointId);
      }
    });
  }

  /** Checkpoint {@code checkpointId} is complete everywhere: each operator may act on it. */
  public void notifyCheckpointComplete(long checkpointId) {
    mailbox.post(() -> {
      for (ChainedOperator op : chain.operators()) {
        if (op.operator() != null) {
          op.context().storesCheckpointComplete(checkpointId);
          op.operator().checkpointComplete(checkpointId);
        }
      }
    });
  }

  /**
   * The barrier of {@code checkpointId} passed this subtask: every operator, in chain order, moves
   * into its stores what the checkpoint must hold (finishing its bundle, so its output goes first)
   * and its stores take their synchronous snapshot; then the barrier follows everything emitted
   * before it, and the snapshots go to the job, to be written off this thread.
   */
  private void checkpoint(long checkpointId, long alignmentNanos) throws Exception {
    long start = System.nanoTime();
    List<OperatorSnapshot> snapshots = new ArrayList<>(chain.operators().length);
    try {
      for (ChainedOperator op : chain.operators()) {
        if (op.isFinished()) {
          snapshots.add(snapshotOf(op, true, null));
        } else {
          op.operator().snapshotState(checkpointId);
          snapshots.add(snapshotOf(op, false, op.context().snapshotStores(checkpointId)));
        }
      }
    } catch (Throwable t) {
      snapshots.forEach(s -> {
        if (s.stores() != null) {
          s.stores().release();
        }
      });
      throw t;
    }
    chain.forwardBarrier(checkpointId);
    env.checkpointAcknowledged(this, checkpointId, snapshots, alignmentNanos, System.nanoTime() - start);
  }

  private OperatorSnapshot snapshotOf(ChainedOperator op, boolean finished,
      io.sluice.execution.state.StoresSnapshot stores) {
    return new OperatorSnapshot(env.operatorId(op.node()), index, vertex.parallelism(), finished,
        op.progress().watermark(), stores);
  }

  /** This subtask's part of a checkpoint once it has ended: every operator finished. */
  public List<OperatorSnapshot> finishedSnapshots() {
    List<OperatorSnapshot> snapshots = new ArrayList<>();
    for (ChainedOperator op : chain.operators()) {
      snapshots.add(snapshotOf(op, true, null));
    }
    return snapshots;
  }

  /**
   * Before any input: operators restore what their stores hold and their input watermark, then
   * those that had finished at the checkpoint finish again at once (ending their outputs), in
   * chain order.
   */
  private void restore() throws Exception {
    OperatorRestore[] restores = new OperatorRestore[chain.operators().length];
    for (int i = 0; i < restores.length; i++) {
      ChainedOperator op = chain.operators()[i];
      restores[i] = op.context().restored();
      if (restores[i] != null && !restores[i].finished()) {
        op.operator().restoreState(restores[i].checkpointId());
      }
    }
    // Only once all are restored: a watermark may make an operator emit to the next one.
    for (int i = 0; i < restores.length; i++) {
      if (restores[i] != null && !restores[i].finished()) {
        chain.operators()[i].restoreWatermark(restores[i].inputWatermark());
      }
    }
    for (int i = 0; i < restores.length; i++) {
      if (restores[i] != null && restores[i].finished()) {
        chain.operators()[i].finishRestored();
      }
    }
  }

  @Override
  public void run() {
    Throwable failure = null;
    boolean toldOpen = false;
    try {
      for (ChainedOperator op : chain.operators()) {
        op.open(index);
      }
      for (ChainedOperator op : chain.operators()) {
        op.output().bind();
      }
      restore();
      env.subtaskOpened();
      toldOpen = true;
      env.awaitAllOpened();
      loop.run();
    } catch (Throwable t) {
      failure = t;
    } finally {
      failure = close(failure);
      env.subtaskEnded(this, failure);
      if (!toldOpen) {
        // Only now: the job has recorded this failure, so the subtasks released here stop at once.
        env.subtaskOpened();
      }
    }
  }

  private Throwable close(Throwable failure) {
    for (ChainedOperator op : chain.operators()) {
      if (op.operator() != null) {
        failure = closeQuietly(op.operator()::close, failure);
      }
      failure = closeQuietly(op.context()::closeStores, failure);
    }
    return failure;
  }

  private static Throwable closeQuietly(AutoCloseable closeable, Throwable failure) {
    try {
      closeable.close();
    } catch (Throwable t) {
      if (failure == null) {
        return t;
      } else if (failure != t) {
        failure.addSuppressed(t);
      }
    }
    return failure;
  }
}

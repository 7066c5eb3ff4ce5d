package io.sluice.execution.runtime.task;

import io.sluice.execution.channel.InputGate;
import io.sluice.execution.checkpoint.OperatorRestore;
import io.sluice.execution.checkpoint.OperatorSnapshot;
import io.sluice.execution.channel.RecordWriter;
import io.sluice.execution.graph.Edge;
import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Vertex;
import io.sluice.execution.runtime.ExecutionConfig;
import io.sluice.execution.runtime.Quiescence;
import io.sluice.execution.state.KeyGroups;
import java.nio.file.Path;
import java.util.List;

/** What a subtask needs from the job that runs it: its wiring, its settings, and the job's life cycle. */
public interface TaskEnvironment {

  JobGraph graph();

  ExecutionConfig config();

  KeyGroups keyGroups();

  /** When the job started: where in-band processing time begins. */
  long startMillis();

  /** The input gate of subtask {@code index} of {@code vertex}; null if that subtask runs in another process. */
  InputGate gate(Vertex vertex, int index);

  /** The writer through which subtask {@code sender} of the edge's producer sends over it. */
  RecordWriter recordWriter(Edge edge, int sender);

  /** The job's quiescence tracking; null unless processing time is in-band. */
  Quiescence quiescence();

  /** A private spill directory of one operator instance. */
  Path spillDirectory(String name);

  /** A private keyed-state directory of one operator instance. */
  Path stateDirectory(String name);

  /** The subtask's operators are open (or failed to open). */
  void subtaskOpened();

  /** Returns once every subtask of the job is open; throws if the job was stopped meanwhile. */
  void awaitAllOpened() throws InterruptedException;

  /** The id of {@code node} in checkpoints. */
  String operatorId(OperatorNode node);

  /** What instance {@code subtask} of {@code node} restores from a checkpoint; null if nothing. */
  OperatorRestore restoreFor(OperatorNode node, int subtask);

  /**
   * The subtask took its part of checkpoint {@code checkpointId} (its operators' synchronous
   * snapshots, in {@code synchronousNanos}) and forwarded the barrier, after aligning it for
   * {@code alignmentNanos}.
   */
  void checkpointAcknowledged(Subtask subtask, long checkpointId, List<OperatorSnapshot> snapshots,
      long alignmentNanos, long synchronousNanos);

  /** The subtask ended, with {@code failure} or null. */
  void subtaskEnded(Subtask subtask, Throwable failure);

  boolean isCancelled();
}

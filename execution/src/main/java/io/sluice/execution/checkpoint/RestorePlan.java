package io.sluice.execution.checkpoint;

import io.sluice.execution.checkpoint.proto.OperatorState;
import io.sluice.execution.checkpoint.proto.SubtaskState;
import io.sluice.execution.state.KeyGroups;
import io.sluice.execution.state.RestoredPart;
import io.sluice.execution.state.StateRestore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A completed checkpoint mapped onto a job's operators: which snapshots each operator instance
 * restores. At the parallelism the checkpoint was taken at, instance i takes instance i's
 * snapshot; at another, every instance reads every snapshot of its operator and keeps the entries
 * that belong to it (by key group, split or union, as each store's layout says).
 */
public final class RestorePlan {

  private final CompletedCheckpoint checkpoint;
  private final Map<String, OperatorState> operators = new HashMap<>();

  private RestorePlan(CompletedCheckpoint checkpoint) {
    this.checkpoint = checkpoint;
    for (OperatorState operator : checkpoint.metadata().getOperatorsList()) {
      operators.put(operator.getOperatorId(), operator);
    }
  }

  /**
   * Plans the restore of {@code checkpoint} into a job with these operators and key groups.
   *
   * @throws CheckpointException if the key groups differ, or the checkpoint holds state of a step
   *     the job does not have (its stateful steps do not match)
   */
  public static RestorePlan of(CompletedCheckpoint checkpoint, KeyGroups keyGroups, Collection<String> operatorIds) {
    int keyGroupCount = checkpoint.metadata().getMaxParallelism();
    if (keyGroupCount != keyGroups.count()) {
      throw new CheckpointException("Cannot restore checkpoint " + checkpoint.directory() + ": it was taken with "
          + keyGroupCount + " key groups (--maxParallelism), this job has " + keyGroups.count());
    }
    Set<String> known = Set.copyOf(operatorIds);
    for (OperatorState operator : checkpoint.metadata().getOperatorsList()) {
      boolean hasState = operator.getSubtasksList().stream().anyMatch(s -> s.getFilesCount() > 0);
      if (hasState && !known.contains(operator.getOperatorId())) {
        throw new CheckpointException("Cannot restore checkpoint " + checkpoint.directory() + " into this pipeline:"
            + " it holds state of step '" + operator.getOperatorId() + "', which this pipeline does not have"
            + " (its stateful steps must keep their names)");
      }
    }
    return new RestorePlan(checkpoint);
  }

  public CompletedCheckpoint checkpoint() {
    return checkpoint;
  }

  /** What instance {@code subtask} of {@code parallelism} of the operator restores; null if nothing. */
  public OperatorRestore forInstance(String operatorId, int subtask, int parallelism, KeyGroups keyGroups) {
    OperatorState operator = operators.get(operatorId);
    if (operator == null) {
      return null;
    }
    List<SubtaskState> sources = new ArrayList<>();
    if (operator.getParallelism() == parallelism) {
      operator.getSubtasksList().stream().filter(s -> s.getSubtaskIndex() == subtask).forEach(sources::add);
    } else {
      sources.addAll(operator.getSubtasksList());
    }
    boolean finished = !sources.isEmpty() && sources.stream().allMatch(SubtaskState::getFinished);
    long watermark = sources.stream().mapToLong(SubtaskState::getInputWatermark).min().orElse(Long.MIN_VALUE);
    List<RestoredPart> parts = new ArrayList<>();
    for (SubtaskState source : sources) {
      if (source.getFilesCount() > 0) {
        parts.add(new RestoredPart(source.getBackend(), source.getFilesList(), source.getStoresList(),
            checkpoint.root(), source.getSubtaskIndex(), operator.getParallelism()));
      }
    }
    StateRestore stores = parts.isEmpty() ? null : new StateRestore(parts, keyGroups, subtask, parallelism);
    return new OperatorRestore(checkpoint.id(), finished, watermark, stores);
  }
}

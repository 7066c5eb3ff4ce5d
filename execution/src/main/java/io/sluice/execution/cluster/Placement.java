package io.sluice.execution.cluster;

import io.sluice.execution.cluster.proto.VertexPlacement;
import io.sluice.execution.cluster.proto.VertexShape;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an attempt's subtasks run. A slot holds one subtask of each vertex, so a job needs as many
 * slots as its largest parallelism: subtask i of every vertex goes to slot i, and slots are dealt
 * to the workers in turn (worker 0's first slot, worker 1's first slot, ...) so that a job spreads
 * over the cluster. A job that must run in one process takes the slots of one worker.
 */
final class Placement {

  private Placement() {}

  /**
   * The worker of each subtask, by vertex.
   *
   * @throws NotEnoughSlots if the workers have too few slots
   */
  static List<VertexPlacement> place(List<VertexShape> vertices, List<WorkerInfo> workers, boolean oneProcess)
      throws NotEnoughSlots {
    int needed = vertices.stream().mapToInt(VertexShape::getParallelism).max().orElse(0);
    List<String> slots = new ArrayList<>();
    if (oneProcess) {
      for (WorkerInfo w : workers) {
        if (w.slots() >= needed) {
          for (int i = 0; i < needed; i++) {
            slots.add(w.id());
          }
          break;
        }
      }
      if (slots.size() < needed) {
        throw new NotEnoughSlots("the job runs in one process and needs " + needed + " slots of one worker; the"
            + " largest worker has " + workers.stream().mapToInt(WorkerInfo::slots).max().orElse(0));
      }
    } else {
      int total = workers.stream().mapToInt(WorkerInfo::slots).sum();
      if (total < needed) {
        throw new NotEnoughSlots("the job needs " + needed + " slots (its largest parallelism) and the cluster's "
            + workers.size() + " workers have " + total);
      }
      for (int round = 0; slots.size() < needed; round++) {
        for (WorkerInfo w : workers) {
          if (round < w.slots() && slots.size() < needed) {
            slots.add(w.id());
          }
        }
      }
    }
    List<VertexPlacement> placement = new ArrayList<>();
    for (VertexShape v : vertices) {
      placement.add(VertexPlacement.newBuilder().addAllWorkerId(slots.subList(0, v.getParallelism())).build());
    }
    return placement;
  }

  /** The cluster cannot hold the job now. */
  static final class NotEnoughSlots extends Exception {
    NotEnoughSlots(String message) {
      super(message);
    }
  }
}

package io.sluice.execution.cluster;

import io.sluice.execution.checkpoint.CheckpointException;
import io.sluice.execution.checkpoint.CheckpointTarget;
import io.sluice.execution.checkpoint.TakenCheckpoint;
import io.sluice.execution.checkpoint.proto.OperatorState;
import io.sluice.execution.cluster.proto.CheckpointDone;
import io.sluice.execution.cluster.proto.ControlMessage;
import io.sluice.execution.cluster.proto.PartCheckpointed;
import io.sluice.execution.cluster.proto.TriggerCheckpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A job attempt running on workers, as its checkpoint coordinator sees it: a checkpoint is
 * triggered on every part still running, each writes its share into the checkpoint's directory and
 * says what it wrote; the parts that finished are recorded as they finished. Guarded by its own
 * monitor, never held while calling out (the checkpoint coordinator calls in under its own).
 */
final class RemoteAttempt implements CheckpointTarget {

  /** Sends a message to a worker; false if the worker is gone. */
  interface Sender {
    boolean send(String worker, ControlMessage message);
  }

  private final String jobId;
  private final int attempt;
  private final Sender sender;
  /** The parts still running, by worker. */
  private final Set<String> running;
  /** What each finished part recorded as it finished: in every later checkpoint. */
  private final Map<String, List<OperatorState>> finished = new HashMap<>();

  /** One checkpoint being taken: the parts that owe their share, and the shares so far. */
  private static final class Pending {
    final long id;
    final Set<String> owing;
    final List<OperatorState> operators = new ArrayList<>();
    long bytesWritten;
    long bytesShared;
    long alignmentNanos;
    long synchronousNanos;
    final CompletableFuture<TakenCheckpoint> done = new CompletableFuture<>();

    Pending(long id, Set<String> owing) {
      this.id = id;
      this.owing = owing;
    }
  }

  private Pending pending;

  RemoteAttempt(String jobId, int attempt, Set<String> workers, Sender sender) {
    this.jobId = jobId;
    this.attempt = attempt;
    this.sender = sender;
    this.running = new HashSet<>(workers);
  }

  @Override
  public CompletableFuture<TakenCheckpoint> triggerCheckpoint(long checkpointId) {
    Pending p;
    List<String> targets;
    synchronized (this) {
      if (pending != null) {
        pending.done.completeExceptionally(new CheckpointException("superseded by checkpoint " + checkpointId));
      }
      p = new Pending(checkpointId, new HashSet<>(running));
      finished.values().forEach(p.operators::addAll);
      pending = p;
      targets = new ArrayList<>(running);
    }
    if (targets.isEmpty()) {
      complete(p);
      return p.done;
    }
    ControlMessage trigger = ControlMessage.newBuilder().setTriggerCheckpoint(TriggerCheckpoint.newBuilder()
        .setJobId(jobId).setAttempt(attempt).setCheckpointId(checkpointId)).build();
    for (String w : targets) {
      if (!sender.send(w, trigger)) {
        p.done.completeExceptionally(new CheckpointException("worker " + w + " is gone"));
      }
    }
    return p.done;
  }

  /** A part's share of a checkpoint arrived. */
  void partCheckpointed(String worker, PartCheckpointed share) {
    Pending p;
    synchronized (this) {
      p = pending;
      if (p == null || p.id != share.getCheckpointId() || !p.owing.remove(worker)) {
        return;
      }
      if (!share.getFailure().isEmpty()) {
        pending = null;
      } else {
        p.operators.addAll(share.getOperatorsList());
        p.bytesWritten += share.getBytesWritten();
        p.bytesShared += share.getBytesShared();
        p.alignmentNanos = Math.max(p.alignmentNanos, share.getAlignmentNanos());
        p.synchronousNanos = Math.max(p.synchronousNanos, share.getSynchronousNanos());
        if (!p.owing.isEmpty()) {
          return;
        }
      }
    }
    if (!share.getFailure().isEmpty()) {
      p.done.completeExceptionally(new CheckpointException("worker " + worker + ": " + share.getFailure()));
    } else {
      complete(p);
    }
  }

  private void complete(Pending p) {
    synchronized (this) {
      if (pending == p) {
        pending = null;
      }
    }
    p.done.complete(new TakenCheckpoint(List.of(), p.alignmentNanos, p.synchronousNanos, null, p.operators,
        p.bytesWritten, p.bytesShared));
  }

  /** A part finished: it takes no further checkpoint, and records in each what it finished with. */
  void partFinished(String worker, List<OperatorState> state) {
    Pending p = null;
    synchronized (this) {
      running.remove(worker);
      finished.put(worker, state);
      if (pending != null && pending.owing.remove(worker)) {
        pending.operators.addAll(state);
        if (pending.owing.isEmpty()) {
          p = pending;
        }
      }
    }
    if (p != null) {
      complete(p);
    }
  }

  @Override
  public void abortCheckpoint(long checkpointId) {
    List<String> targets;
    synchronized (this) {
      if (pending != null && pending.id == checkpointId) {
        pending = null;
      }
      targets = new ArrayList<>(running);
    }
    tell(targets, checkpointId, false);
  }

  @Override
  public synchronized boolean hasFinished() {
    return running.isEmpty();
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    List<String> targets;
    synchronized (this) {
      targets = new ArrayList<>(running);
    }
    tell(targets, checkpointId, true);
  }

  private void tell(List<String> workers, long checkpointId, boolean completed) {
    ControlMessage m = ControlMessage.newBuilder().setCheckpointDone(CheckpointDone.newBuilder().setJobId(jobId)
        .setAttempt(attempt).setCheckpointId(checkpointId).setCompleted(completed)).build();
    for (String w : workers) {
      sender.send(w, m);
    }
  }
}

package io.sluice.execution.cluster;

import com.google.protobuf.ByteString;
import io.sluice.execution.checkpoint.CheckpointCoordinator;
import io.sluice.execution.checkpoint.CheckpointSettings;
import io.sluice.execution.checkpoint.CompletedCheckpoint;
import io.sluice.execution.cluster.proto.CancelPart;
import io.sluice.execution.cluster.proto.ControlMessage;
import io.sluice.execution.cluster.proto.DeployPart;
import io.sluice.execution.cluster.proto.JobState;
import io.sluice.execution.cluster.proto.JobUpdate;
import io.sluice.execution.cluster.proto.PartCheckpointed;
import io.sluice.execution.cluster.proto.PartReport;
import io.sluice.execution.cluster.proto.PartState;
import io.sluice.execution.cluster.proto.PartUpdate;
import io.sluice.execution.cluster.proto.SubmitJob;
import io.sluice.execution.cluster.proto.VertexPlacement;
import io.sluice.execution.cluster.proto.WorkerAddress;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One job on the coordinator, across its attempts. An attempt is deployed to the workers its
 * placement names; it finishes when every part has; the first part to fail (or a lost worker) ends
 * it, the other parts are cancelled, and once all have ended the job restarts on the workers there
 * are, or fails with that first failure. All of it under the {@link JobTable}'s monitor.
 */
final class ClusterJob {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterJob.class);
  private static final long MAX_RESTART_DELAY_MILLIS = 60_000;

  final String id;
  final SubmitJob submission;
  /** Where updates go; null once the client has gone (the job runs on). Durable for the job's life. */
  private ClientSession client;
  private JobState state = JobState.ACCEPTED;
  /** The attempt running or last run: its cluster-wide serial and its number in this job (from 1). */
  private int attemptSerial;
  private int attemptNumber;
  /** The current attempt's parts, by worker, with their latest state; derived, for the attempt. */
  private final Map<String, PartState> parts = new LinkedHashMap<>();
  /** The current attempt's placement: the slots it holds. */
  private List<VertexPlacement> placement;
  /** Set once the current attempt is ending (failed, cancelled): its remaining parts are cancelled. */
  private boolean ending;
  /** The first failure of the current attempt: its text and, if it serialized, itself. */
  private String failureText = "";
  private ByteString failure = ByteString.EMPTY;
  private boolean cancelling;
  private int restarts;
  /** Each attempt's number by its serial: derived, for the job's life (reports arrive late). */
  private final Map<Integer, Integer> attemptNumbers = new java.util.HashMap<>();
  /** When the job began to wait for slots, or 0 when it does not: derived. */
  long waitingSinceNanos;
  /** Takes the job's checkpoints across its attempts; null if it takes none. Durable for the job's life. */
  private CheckpointCoordinator checkpoints;
  /** The current attempt as its checkpoints see it; null without checkpoints. */
  private RemoteAttempt remote;
  /** What the workers last reported of each subtask of the current attempt: derived. */
  private final SubtaskStatusTable subtasks = new SubtaskStatusTable();
  /** Whether the current attempt has had every part running (and so is checkpointed). */
  private boolean attemptRunning;

  ClusterJob(String id, SubmitJob submission, ClientSession client) {
    this.id = id;
    this.submission = submission;
    this.client = client;
  }

  JobState state() {
    return state;
  }

  boolean isOver() {
    return state == JobState.FINISHED || state == JobState.FAILED || state == JobState.CANCELLED
        || state == JobState.REFUSED;
  }

  /** Whether an attempt holds slots now. */
  List<VertexPlacement> placement() {
    return placement;
  }

  int attemptNumber() {
    return attemptNumber;
  }

  Set<String> workers() {
    return parts.keySet();
  }

  void clientGone() {
    client = null;
  }

  ClientSession client() {
    return client;
  }

  /** Deploys a new attempt, placed as {@code placement}, with the cluster-wide {@code serial}. */
  void deploy(int serial, List<VertexPlacement> placement, List<WorkerInfo> workers, JobTable table) {
    this.attemptSerial = serial;
    this.attemptNumber++;
    attemptNumbers.put(serial, attemptNumber);
    this.placement = placement;
    this.ending = false;
    this.failureText = "";
    this.failure = ByteString.EMPTY;
    parts.clear();
    subtasks.clear();
    attemptRunning = false;
    Set<String> used = new LinkedHashSet<>();
    placement.forEach(p -> used.addAll(p.getWorkerIdList()));
    DeployPart.Builder order = DeployPart.newBuilder().setJobId(id).setAttempt(serial)
        .setName(submission.getName()).setGraphBlob(submission.getGraphBlob())
        .addAllJarBlobs(submission.getJarBlobsList()).setSettings(submission.getSettings())
        .addAllPlacement(placement);
    CheckpointSettings checkpointing = JobSettingsCodec.checkpointing(submission.getSettings());
    if (checkpointing != null) {
      if (checkpoints == null) {
        checkpoints = new CheckpointCoordinator(checkpointing, submission.getName(),
            (int) submission.getSettings().getMaxParallelism());
      }
      order.setCheckpointRoot(checkpoints.root().toString());
      remote = new RemoteAttempt(id, serial, used, table::sendToWorker);
    }
    CompletedCheckpoint latest = checkpoints == null ? null : checkpoints.latest();
    String restore = latest != null ? latest.directory().toString() : submission.getSettings().getRestoreFrom();
    if (!restore.isEmpty()) {
      order.setRestoreFrom(restore);
      LOG.info("Job {} ({}) attempt {} restores {}", submission.getName(), id, attemptNumber, restore);
    }
    for (WorkerInfo w : workers) {
      if (used.contains(w.id())) {
        order.addWorkers(WorkerAddress.newBuilder().setWorkerId(w.id()).setDataHost(w.dataHost())
            .setDataPort(w.dataPort()));
      }
    }
    ControlMessage message = ControlMessage.newBuilder().setDeployPart(order).build();
    LOG.info("Job {} ({}) attempt {} deploys to workers {}", submission.getName(), id, attemptNumber, used);
    for (String w : used) {
      parts.put(w, PartState.PART_STATE_UNSPECIFIED);
      if (!table.sendToWorker(w, message)) {
        partEnded(w, PartState.PART_FAILED, "worker " + w + " was lost before the attempt reached it",
            ByteString.EMPTY, table);
        return;
      }
    }
  }

  void partUpdate(String worker, PartUpdate u, JobTable table) {
    if (u.getAttempt() == attemptSerial) {
      subtasks.update(u.getSubtasksList(), System.currentTimeMillis());
    }
    if (!u.getReport().isEmpty() && client != null) {
      int attempt = attemptNumbers.getOrDefault(u.getAttempt(), attemptNumber);
      client.send(update().addReports(PartReport.newBuilder().setAttempt(attempt).setWorkerId(worker)
          .setReport(u.getReport())).build());
    }
    if (u.getAttempt() != attemptSerial || !parts.containsKey(worker) || isEnded(parts.get(worker))) {
      return;
    }
    switch (u.getState()) {
      case PART_RUNNING:
        parts.put(worker, PartState.PART_RUNNING);
        if (!attemptRunning && parts.values().stream().allMatch(s -> s == PartState.PART_RUNNING)) {
          attemptRunning = true;
          if (checkpoints != null && !ending) {
            checkpoints.attach(remote);
          }
          if (state == JobState.ACCEPTED) {
            setState(JobState.RUNNING);
          }
        }
        break;
      case PART_FINISHED:
        parts.put(worker, PartState.PART_FINISHED);
        if (remote != null) {
          remote.partFinished(worker, u.getFinishedList());
        }
        if (parts.values().stream().allMatch(s -> s == PartState.PART_FINISHED)) {
          placement = null;
          LOG.info("Job {} ({}) finished", submission.getName(), id);
          table.released(this);
          if (checkpoints != null) {
            checkpoints.detach(true);
            checkpoints.discardCheckpoints();
            checkpoints.close();
          }
          setState(JobState.FINISHED);
        } else if (ending && parts.values().stream().allMatch(ClusterJob::isEnded)) {
          // Finished while its attempt was failing: the last part to end ends the attempt.
          attemptEnded(table);
        }
        break;
      case PART_FAILED:
      case PART_CANCELLED:
        partEnded(worker, u.getState(), u.getState() == PartState.PART_FAILED ? u.getFailureText()
            : "its part on worker " + worker + " was cancelled", u.getFailure(), table);
        break;
      default:
        LOG.warn("Worker {} sent job {} a part state {}", worker, id, u.getState());
    }
  }

  void workerLost(String worker, String reason, JobTable table) {
    PartState s = parts.get(worker);
    if (s != null && !isEnded(s)) {
      partEnded(worker, PartState.PART_FAILED, "worker " + worker + " was lost: " + reason, ByteString.EMPTY, table);
    }
  }

  private void partEnded(String worker, PartState how, String text, ByteString failureBytes, JobTable table) {
    parts.put(worker, how);
    if (!ending) {
      ending = true;
      if (!cancelling) {
        failureText = text;
        failure = failureBytes;
        LOG.warn("Job {} ({}) attempt {} fails: {}", submission.getName(), id, attemptNumber, firstLine(text));
      }
      cancelParts(table);
    }
    if (parts.values().stream().allMatch(ClusterJob::isEnded)) {
      attemptEnded(table);
    }
  }

  private void cancelParts(JobTable table) {
    ControlMessage cancel = ControlMessage.newBuilder().setCancelPart(CancelPart.newBuilder().setJobId(id)
        .setAttempt(attemptSerial)).build();
    parts.forEach((w, s) -> {
      if (!isEnded(s) && !table.sendToWorker(w, cancel)) {
        parts.put(w, PartState.PART_CANCELLED);
      }
    });
  }

  private void attemptEnded(JobTable table) {
    placement = null;
    table.released(this);
    if (checkpoints != null) {
      checkpoints.detach(false);
    }
    if (cancelling) {
      closeCheckpoints();
      setState(JobState.CANCELLED);
      return;
    }
    int setting = submission.getSettings().getRestartAttempts();
    int allowed = setting >= 0 ? setting : checkpoints != null ? 3 : 0;
    if (restarts >= allowed) {
      if (restarts > 0) {
        LOG.error("Job {} ({}) fails after {} restarts", submission.getName(), id, restarts);
      }
      closeCheckpoints();
      setState(JobState.FAILED);
      return;
    }
    restarts++;
    long delay = Math.min(MAX_RESTART_DELAY_MILLIS,
        submission.getSettings().getRestartDelayMillis() << Math.min(20, restarts - 1));
    LOG.warn("Job {} ({}) restarts ({} of {}) in {} ms", submission.getName(), id, restarts, allowed, delay);
    table.restartLater(this, delay);
  }

  /** The job has ended for good: its checkpoints stay for a restore, the coordinator's threads go. */
  private void closeCheckpoints() {
    if (checkpoints != null) {
      checkpoints.close();
    }
  }

  /** A part's share of a checkpoint of the current attempt. */
  void partCheckpointed(String worker, PartCheckpointed share) {
    if (remote != null && share.getAttempt() == attemptSerial) {
      remote.partCheckpointed(worker, share);
    }
  }

  /** Stops the job: its parts are cancelled, and it ends CANCELLED. */
  void cancel(JobTable table) {
    if (isOver() || cancelling) {
      return;
    }
    cancelling = true;
    LOG.info("Job {} ({}) is cancelled", submission.getName(), id);
    if (placement == null) {
      closeCheckpoints();
      setState(JobState.CANCELLED);
    } else if (!ending) {
      ending = true;
      cancelParts(table);
      if (parts.values().stream().allMatch(ClusterJob::isEnded)) {
        attemptEnded(table);
      }
    }
  }

  boolean isCancelling() {
    return cancelling;
  }

  /** Ends the job without a (new) attempt: the cluster cannot hold it. */
  void refuse(String why) {
    failureText = why;
    failure = ByteString.EMPTY;
    LOG.warn("Job {} ({}) cannot run: {}", submission.getName(), id, why);
    closeCheckpoints();
    setState(attemptNumber == 0 ? JobState.REFUSED : JobState.FAILED);
  }

  private void setState(JobState next) {
    state = next;
    if (client != null) {
      client.send(update().build());
    }
  }

  /** The job's status, for the coordinator's status page: a JSON object. */
  String statusJson() {
    StringBuilder json = new StringBuilder();
    json.append("{\"id\":").append(Json.string(id))
        .append(",\"name\":").append(Json.string(submission.getName()))
        .append(",\"state\":").append(Json.string(state.name()))
        .append(",\"attempt\":").append(attemptNumber)
        .append(",\"restarts\":").append(restarts)
        .append(",\"failure\":").append(Json.string(failureText.isEmpty() ? null : firstLine(failureText)))
        .append(",\"parts\":{");
    String sep = "";
    for (Map.Entry<String, PartState> p : parts.entrySet()) {
      json.append(sep).append(Json.string(p.getKey())).append(':').append(Json.string(p.getValue().name()));
      sep = ",";
    }
    json.append("},\"vertices\":[");
    for (int v = 0; v < submission.getVerticesCount(); v++) {
      String name = submission.getVertices(v).getName();
      json.append(v == 0 ? "" : ",").append("{\"name\":").append(Json.string(name))
          .append(",\"parallelism\":").append(submission.getVertices(v).getParallelism()).append(",\"subtasks\":[");
      for (int i = 0; i < submission.getVertices(v).getParallelism(); i++) {
        String worker = placement == null ? null : placement.get(v).getWorkerId(i);
        json.append(i == 0 ? "" : ",").append("{\"index\":").append(i)
            .append(",\"worker\":").append(Json.string(worker));
        subtasks.appendJson(name + "#" + i, json);
        json.append('}');
      }
      json.append("]}");
    }
    json.append("],\"checkpoints\":");
    if (checkpoints == null) {
      json.append("null");
    } else {
      var stats = checkpoints.stats().summary();
      json.append("{\"completed\":").append(stats.completed()).append(",\"declined\":").append(stats.declined())
          .append(",\"bytesWritten\":").append(stats.bytesWritten())
          .append(",\"latest\":").append(Json.string(stats.last() == null ? null : stats.last().location()))
          .append('}');
    }
    return json.append('}').toString();
  }

  JobUpdate.Builder update() {
    JobUpdate.Builder u = JobUpdate.newBuilder().setJobId(id).setState(state);
    if (state == JobState.FAILED || state == JobState.REFUSED) {
      u.setFailureText(failureText).setFailure(failure);
    }
    return u;
  }

  private static boolean isEnded(PartState s) {
    return s == PartState.PART_FINISHED || s == PartState.PART_FAILED || s == PartState.PART_CANCELLED;
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }
}

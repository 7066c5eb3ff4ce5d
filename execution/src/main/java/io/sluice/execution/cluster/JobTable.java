package io.sluice.execution.cluster;

import io.sluice.execution.cluster.proto.ControlMessage;
import io.sluice.execution.cluster.proto.JobState;
import io.sluice.execution.cluster.proto.PartUpdate;
import io.sluice.execution.cluster.proto.SubmitJob;
import io.sluice.execution.cluster.proto.VertexPlacement;
import io.sluice.execution.cluster.proto.VertexShape;
import io.sluice.execution.net.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's jobs and the slots they hold. A job is placed when enough slots are free; it
 * waits for them, bounded, when they are taken by other jobs or by workers still to come back; it
 * is refused at once when the cluster as it stands could never hold it. Guarded by its own monitor:
 * control-plane traffic only.
 */
final class JobTable {

  private static final Logger LOG = LoggerFactory.getLogger(JobTable.class);
  /** Finished jobs kept for their status: derived, the latest ones. */
  private static final int KEPT_ENDED = 100;

  private final WorkerRegistry registry;
  private final BlobStore blobs;
  private final ScheduledExecutorService timer;
  private final long slotTimeoutNanos;
  /** Every job, in order of submission: live ones and the latest ended ones. */
  private final Map<String, ClusterJob> jobs = new LinkedHashMap<>();
  /** Slots each worker's attempts hold: derived from the running attempts' placements. */
  private final Map<String, Integer> usedSlots = new HashMap<>();
  /** The placements that hold slots, by job: derived, while an attempt runs. */
  private final Map<String, List<VertexPlacement>> lastPlacement = new HashMap<>();
  /** Jobs waiting for slots, in order. */
  private final List<ClusterJob> waiting = new ArrayList<>();
  /** The next attempt's serial: unique while the coordinator lives, and so on every worker link. */
  private int nextSerial = 1;

  JobTable(WorkerRegistry registry, BlobStore blobs, ScheduledExecutorService timer, Duration slotTimeout) {
    this.registry = registry;
    this.blobs = blobs;
    this.timer = timer;
    this.slotTimeoutNanos = slotTimeout.toNanos();
    timer.scheduleWithFixedDelay(this::placeWaiting, 1, 1, TimeUnit.SECONDS);
  }

  synchronized void submit(SubmitJob s, ClientSession client) {
    String id = UUID.randomUUID().toString().substring(0, 8);
    ClusterJob job = new ClusterJob(id, s, client);
    jobs.put(id, job);
    trimEnded();
    client.accepted(job);
    List<String> missing = new ArrayList<>();
    List<String> needed = new ArrayList<>(s.getJarBlobsList());
    needed.add(s.getGraphBlob());
    if (!s.getSettings().getResourcesBlob().isEmpty()) {
      needed.add(s.getSettings().getResourcesBlob());
    }
    for (String h : needed) {
      if (!blobs.has(h)) {
        missing.add(h);
      }
    }
    int slots = s.getVerticesList().stream().mapToInt(VertexShape::getParallelism).max().orElse(0);
    List<WorkerInfo> workers = registry.workers();
    int total = workers.stream().mapToInt(WorkerInfo::slots).sum();
    if (!missing.isEmpty()) {
      job.refuse("the coordinator did not receive the job's blobs " + missing);
    } else if (s.getVerticesCount() == 0) {
      job.refuse("the job has no vertices");
    } else if (!workers.isEmpty() && slots > total) {
      job.refuse("the job needs " + slots + " slots (its largest parallelism) and the cluster's " + workers.size()
          + " workers have " + total + " in all; start more workers or lower the parallelism");
    } else {
      LOG.info("Job {} ({}) submitted: {} vertices, {} slots", s.getName(), id, s.getVerticesCount(), slots);
      enqueue(job);
      placeWaiting();
    }
  }

  private void enqueue(ClusterJob job) {
    job.waitingSinceNanos = System.nanoTime();
    waiting.add(job);
  }

  synchronized void cancel(String jobId, ClientSession from) {
    ClusterJob job = jobs.get(jobId);
    if (job == null || job.client() != from) {
      from.unknownJob(jobId);
      return;
    }
    waiting.remove(job);
    job.cancel(this);
  }

  synchronized void partUpdate(String worker, PartUpdate u) {
    ClusterJob job = jobs.get(u.getJobId());
    if (job != null) {
      job.partUpdate(worker, u, this);
    }
  }

  synchronized void partCheckpointed(String worker, io.sluice.execution.cluster.proto.PartCheckpointed share) {
    ClusterJob job = jobs.get(share.getJobId());
    if (job != null) {
      job.partCheckpointed(worker, share);
    }
  }

  synchronized void workerLost(WorkerInfo w, String reason) {
    usedSlots.remove(w.id());
    for (ClusterJob job : new ArrayList<>(jobs.values())) {
      if (!job.isOver()) {
        job.workerLost(w.id(), reason, this);
      }
    }
  }

  synchronized void clientGone(ClientSession client) {
    for (ClusterJob job : jobs.values()) {
      if (job.client() == client) {
        job.clientGone();
        if (!job.isOver()) {
          LOG.info("Job {} ({}) runs on without its client", job.submission.getName(), job.id);
        }
      }
    }
  }

  /** Places every waiting job that fits now, in order; fails those that waited too long. */
  synchronized void placeWaiting() {
    for (ClusterJob job : new ArrayList<>(waiting)) {
      if (job.isOver() || job.isCancelling()) {
        waiting.remove(job);
        if (!job.isOver()) {
          job.cancel(this);
        }
        continue;
      }
      List<WorkerInfo> free = new ArrayList<>();
      for (WorkerInfo w : registry.workers()) {
        int left = w.slots() - usedSlots.getOrDefault(w.id(), 0);
        if (left > 0) {
          free.add(new WorkerInfo(w.id(), left, w.dataHost(), w.dataPort()));
        }
      }
      boolean oneProcess = "IN_BAND".equals(job.submission.getSettings().getProcessingTimeMode());
      try {
        List<VertexPlacement> placement = Placement.place(job.submission.getVerticesList(), free, oneProcess);
        waiting.remove(job);
        hold(placement, 1);
        lastPlacement.put(job.id, placement);
        job.deploy(nextSerial++, placement, registry.workers(), this);
      } catch (Placement.NotEnoughSlots e) {
        if (System.nanoTime() - job.waitingSinceNanos > slotTimeoutNanos) {
          waiting.remove(job);
          job.refuse("no slots within " + TimeUnit.NANOSECONDS.toSeconds(slotTimeoutNanos) + " s: " + e.getMessage());
        }
      }
    }
  }

  /** The slots each worker holds in a placement: subtask i of every vertex shares slot i. */
  private void hold(List<VertexPlacement> placement, int sign) {
    VertexPlacement widest = placement.stream().max((a, b) -> a.getWorkerIdCount() - b.getWorkerIdCount()).orElseThrow();
    for (String w : widest.getWorkerIdList()) {
      usedSlots.merge(w, sign, Integer::sum);
    }
    usedSlots.values().removeIf(n -> n <= 0);
  }

  /** The job's attempt has ended: its slots are free. Called by the job, under this monitor. */
  void released(ClusterJob job) {
    List<VertexPlacement> placement = lastPlacement.remove(job.id);
    if (placement != null) {
      hold(placement, -1);
    }
    timer.execute(this::placeWaiting);
  }

  void restartLater(ClusterJob job, long delayMillis) {
    timer.schedule(() -> {
      synchronized (this) {
        if (job.isCancelling()) {
          job.cancel(this);
          return;
        }
        enqueue(job);
        placeWaiting();
      }
    }, delayMillis, TimeUnit.MILLISECONDS);
  }

  /** Sends to a live worker; false if it is not (any more). */
  boolean sendToWorker(String worker, ControlMessage message) {
    Connection c = registry.connectionOf(worker);
    if (c == null || !c.isOpen()) {
      return false;
    }
    ControlMessages.send(c, message);
    return true;
  }

  /** A job's status as JSON, read under this monitor, which guards the job. */
  synchronized String statusOf(ClusterJob job) {
    return job.statusJson();
  }

  /** Slots the running attempts hold on a worker. */
  synchronized int slotsUsed(String worker) {
    return usedSlots.getOrDefault(worker, 0);
  }

  synchronized List<ClusterJob> jobs() {
    return new ArrayList<>(jobs.values());
  }

  synchronized ClusterJob job(String id) {
    return jobs.get(id);
  }

  private void trimEnded() {
    int ended = (int) jobs.values().stream().filter(ClusterJob::isOver).count();
    var it = jobs.values().iterator();
    while (ended > KEPT_ENDED && it.hasNext()) {
      if (it.next().isOver()) {
        it.remove();
        ended--;
      }
    }
  }

  /** For a job's state checks in tests and the status page. */
  synchronized JobState stateOf(String id) {
    ClusterJob job = jobs.get(id);
    return job == null ? null : job.state();
  }
}

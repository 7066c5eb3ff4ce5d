package io.sluice.execution.cluster;

import io.netty.buffer.ByteBuf;
import io.sluice.execution.cluster.proto.ControlMessage;
import io.sluice.execution.cluster.proto.RegisterWorker;
import io.sluice.execution.cluster.proto.WorkerRegistered;
import io.sluice.execution.net.Connection;
import io.sluice.execution.net.MessageHandler;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's end of one worker's connection: the worker registers first, then sends
 * heartbeats. Anything out of order breaks the protocol and closes the connection.
 */
final class WorkerSession implements MessageHandler {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerSession.class);

  private final WorkerRegistry registry;
  private final JobTable jobs;
  private final BlobStore blobs;
  /** Sends blobs to workers, off the event loop. */
  private final java.util.concurrent.Executor transfers;
  private final String coordinatorId;
  private final long heartbeatIntervalMillis;
  private final long heartbeatTimeoutMillis;
  /** The worker's id once registered: derived, for the connection's life. Event loop only. */
  private String workerId;

  WorkerSession(WorkerRegistry registry, JobTable jobs, BlobStore blobs, java.util.concurrent.Executor transfers,
      String coordinatorId, long heartbeatIntervalMillis, long heartbeatTimeoutMillis) {
    this.registry = registry;
    this.jobs = jobs;
    this.blobs = blobs;
    this.transfers = transfers;
    this.coordinatorId = coordinatorId;
    this.heartbeatIntervalMillis = heartbeatIntervalMillis;
    this.heartbeatTimeoutMillis = heartbeatTimeoutMillis;
  }

  @Override
  public void onMessage(Connection connection, ByteBuf bytes) throws IOException {
    ControlMessage message = ControlMessages.read(bytes);
    switch (message.getKindCase()) {
      case REGISTER_WORKER:
        register(connection, message.getRegisterWorker());
        break;
      case HEARTBEAT:
        registry.heard(registered());
        break;
      case WANT_BLOBS:
        String worker = registered();
        for (String hash : message.getWantBlobs().getSha256List()) {
          if (!blobs.has(hash)) {
            throw new IOException("worker " + worker + " wants blob " + hash + ", which is not here");
          }
        }
        // Off the event loop: a large blob is sent a chunk at a time, each written before the next.
        transfers.execute(() -> {
          for (String hash : message.getWantBlobs().getSha256List()) {
            try {
              blobs.send(hash, connection);
            } catch (IOException e) {
              LOG.warn("Could not send blob {} to worker {}: {}", hash, worker, e.getMessage());
              connection.close();
              return;
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          }
        });
        break;
      case PART_UPDATE:
        jobs.partUpdate(registered(), message.getPartUpdate());
        break;
      case PART_CHECKPOINTED:
        jobs.partCheckpointed(registered(), message.getPartCheckpointed());
        break;
      default:
        throw new IOException("a worker may not send " + message.getKindCase());
    }
  }

  private String registered() throws IOException {
    if (workerId == null) {
      throw new IOException("a worker's message before it registered");
    }
    return workerId;
  }

  private void register(Connection connection, RegisterWorker r) throws IOException {
    if (workerId != null) {
      throw new IOException("worker " + workerId + " registered twice");
    }
    if (r.getWorkerId().isEmpty() || r.getSlots() < 1 || r.getDataPort() < 1 || r.getDataPort() > 65535) {
      throw new IOException("a registration without an id, a slot or a data port: " + r);
    }
    WorkerInfo info = new WorkerInfo(r.getWorkerId(), r.getSlots(), r.getDataHost(), r.getDataPort());
    if (!registry.register(info, connection)) {
      throw new IOException("worker id " + r.getWorkerId() + " belongs to a live worker");
    }
    workerId = info.id();
    LOG.info("Worker {} joined from {}", info, connection.remoteAddress());
    ControlMessages.send(connection, ControlMessage.newBuilder().setWorkerRegistered(WorkerRegistered.newBuilder()
        .setCoordinatorId(coordinatorId)
        .setHeartbeatIntervalMillis(heartbeatIntervalMillis)
        .setHeartbeatTimeoutMillis(heartbeatTimeoutMillis)).build());
  }

  @Override
  public void onClosed(Connection connection) {
    if (workerId != null) {
      registry.connectionClosed(workerId, connection);
    }
  }
}

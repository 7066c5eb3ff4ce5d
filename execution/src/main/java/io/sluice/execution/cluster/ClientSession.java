package io.sluice.execution.cluster;

import io.netty.buffer.ByteBuf;
import io.sluice.execution.cluster.proto.BlobRef;
import io.sluice.execution.cluster.proto.ControlMessage;
import io.sluice.execution.cluster.proto.JobState;
import io.sluice.execution.cluster.proto.JobUpdate;
import io.sluice.execution.cluster.proto.WantBlobs;
import io.sluice.execution.net.Connection;
import io.sluice.execution.net.MessageHandler;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's end of one client's connection: the client offers its job's blobs, sends those
 * the coordinator lacks, submits the job, and hears of it until it ends (or cancels it). A job
 * whose client goes away runs on.
 */
final class ClientSession implements MessageHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);
  /** A client may offer this many bytes of blobs at most, in all: the coordinator's disk is not theirs. */
  private static final long MAX_OFFER_BYTES = 8L << 30;

  private final JobTable jobs;
  private final BlobStore blobs;
  private final Connection connection;

  ClientSession(JobTable jobs, BlobStore blobs, Connection connection) {
    this.jobs = jobs;
    this.blobs = blobs;
    this.connection = connection;
  }

  @Override
  public void onMessage(Connection from, ByteBuf bytes) throws IOException {
    ControlMessage message = ControlMessages.read(bytes);
    switch (message.getKindCase()) {
      case OFFER_BLOBS:
        WantBlobs.Builder want = WantBlobs.newBuilder();
        long size = 0;
        for (BlobRef b : message.getOfferBlobs().getBlobsList()) {
          size += b.getSize();
          if (!blobs.has(b.getSha256())) {
            want.addSha256(b.getSha256());
          }
        }
        if (size > MAX_OFFER_BYTES) {
          throw new IOException("a client offered " + size + " bytes of blobs, more than " + MAX_OFFER_BYTES);
        }
        ControlMessages.send(connection, ControlMessage.newBuilder().setWantBlobs(want).build());
        break;
      case BLOB_CHUNK:
        blobs.accept(message.getBlobChunk());
        break;
      case SUBMIT_JOB:
        jobs.submit(message.getSubmitJob(), this);
        break;
      case CANCEL_JOB:
        jobs.cancel(message.getCancelJob().getJobId(), this);
        break;
      default:
        throw new IOException("a client may not send " + message.getKindCase());
    }
  }

  /** The job is in the table: the client learns its id before anything else of it. */
  void accepted(ClusterJob job) {
    send(JobUpdate.newBuilder().setJobId(job.id).setState(JobState.ACCEPTED).build());
  }

  void unknownJob(String jobId) {
    LOG.warn("Client at {} asked to cancel job {}, which is not its", connection.remoteAddress(), jobId);
  }

  void send(JobUpdate update) {
    if (connection.isOpen()) {
      ControlMessages.send(connection, ControlMessage.newBuilder().setJobUpdate(update).build());
    }
  }

  @Override
  public void onClosed(Connection closed) {
    jobs.clientGone(this);
  }
}

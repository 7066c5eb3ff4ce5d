package io.sluice.portability.client;

import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.jobmanagement.v1.JobServiceGrpc;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannel;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.Status;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.StatusRuntimeException;
import org.joda.time.Duration;

/**
 * A job submitted through the Job API, followed through it: its state (the job server's stream, not
 * polled), cancel, metrics (what the harnesses reported, by step), and, when it fails, an exception
 * that carries the job's error (for user code, the SDK harness's report with the user's exception
 * and stack).
 */
public final class PortableJobResult implements PipelineResult {

  /** Fixed: the connection to the job server (closed with the JVM) and the job's id there. */
  private final ManagedChannel channel;
  private final String jobId;
  private final JobServiceGrpc.JobServiceBlockingStub jobs;
  /** The terminal state once seen: derived, written once. */
  private volatile State terminal;

  PortableJobResult(ManagedChannel channel, String jobId) {
    this.channel = channel;
    this.jobId = jobId;
    this.jobs = JobServiceGrpc.newBlockingStub(channel);
  }

  public String jobId() {
    return jobId;
  }

  @Override
  public State getState() {
    if (terminal != null) {
      return terminal;
    }
    return stateOf(jobs.getState(JobApi.GetJobStateRequest.newBuilder().setJobId(jobId).build()).getState());
  }

  @Override
  public State cancel() {
    if (terminal != null) {
      return terminal;
    }
    return stateOf(jobs.cancel(JobApi.CancelJobRequest.newBuilder().setJobId(jobId).build()).getState());
  }

  @Override
  public State waitUntilFinish(Duration duration) {
    return waitFor(duration.getMillis());
  }

  @Override
  public State waitUntilFinish() {
    return waitFor(0);
  }

  /** Follows the job's state stream until a terminal state, or {@code millis} (0 = no bound); null on timeout. */
  private State waitFor(long millis) {
    if (terminal == null) {
      JobServiceGrpc.JobServiceBlockingStub stub = millis > 0 ? jobs.withDeadlineAfter(millis, TimeUnit.MILLISECONDS)
          : jobs;
      try {
        Iterator<JobApi.JobStateEvent> events = stub.getStateStream(
            JobApi.GetJobStateRequest.newBuilder().setJobId(jobId).build());
        while (events.hasNext()) {
          State state = stateOf(events.next().getState());
          if (state.isTerminal()) {
            terminal = state;
            break;
          }
        }
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
          return null;
        }
        if (Thread.currentThread().isInterrupted() || e.getCause() instanceof InterruptedException) {
          // The caller gave up waiting (a test's timeout): the job must not run on unattended.
          boolean interrupted = Thread.interrupted();
          try {
            cancel();
          } catch (RuntimeException notCancelled) {
            e.addSuppressed(notCancelled);
          } finally {
            if (interrupted) {
              Thread.currentThread().interrupt();
            }
          }
        }
        throw e;
      }
      if (terminal == null) {
        throw new IllegalStateException("the job server ended job " + jobId + "'s state stream before its end");
      }
    }
    if (terminal == State.FAILED) {
      String error = "job " + jobId + " failed: " + lastError();
      // A failed assertion in user code stays one (Beam's TestPipeline rethrows it as such).
      Throwable cause = error.contains("java.lang.AssertionError") ? new AssertionError(error)
          : new RuntimeException(error);
      throw new Pipeline.PipelineExecutionException(cause);
    }
    return terminal;
  }

  /** The job's last error message: the job server sends the failure's root cause as one before FAILED. */
  private String lastError() {
    String error = "no error was reported";
    Iterator<JobApi.JobMessagesResponse> messages = jobs.withDeadlineAfter(60, TimeUnit.SECONDS)
        .getMessageStream(JobApi.JobMessagesRequest.newBuilder().setJobId(jobId).build());
    while (messages.hasNext()) {
      JobApi.JobMessagesResponse response = messages.next();
      if (response.hasMessageResponse() && response.getMessageResponse().getImportance()
          == JobApi.JobMessage.MessageImportance.JOB_MESSAGE_ERROR) {
        error = response.getMessageResponse().getMessageText();
      }
    }
    return error;
  }

  /**
   * Runs {@code action} once the job has ended, on a thread of its own that follows the job's state
   * (whoever else waits for it or not).
   */
  void whenFinished(Runnable action) {
    Thread follower = new Thread(() -> {
      try {
        waitFor(0);
      } catch (RuntimeException endedOrUnreachable) {
        // Failed, cancelled or gone: ended all the same.
      } finally {
        action.run();
      }
    }, "sluice-portable-job-" + jobId + "-end");
    follower.setDaemon(true);
    follower.start();
  }

  /** What the job's harnesses reported, by step: attempted, and committed as the job server has it. */
  @Override
  public MetricResults metrics() {
    JobApi.GetJobMetricsResponse response = jobs.withDeadlineAfter(60, TimeUnit.SECONDS).getJobMetrics(
        JobApi.GetJobMetricsRequest.newBuilder().setJobId(jobId).build());
    return MetricsContainerStepMap.asMetricResults(UserMetrics.byStep(response.getMetrics().getAttemptedList()),
        UserMetrics.byStep(response.getMetrics().getCommittedList()));
  }

  private static State stateOf(org.apache.beam.model.jobmanagement.v1.JobApi.JobState.Enum state) {
    return switch (state) {
      case STOPPED -> State.STOPPED;
      case STARTING, RUNNING -> State.RUNNING;
      case DONE -> State.DONE;
      case FAILED -> State.FAILED;
      case CANCELLED, CANCELLING -> State.CANCELLED;
      case UPDATED, UPDATING -> State.UPDATED;
      default -> State.UNKNOWN;
    };
  }
}

package io.sluice.runner;

import io.sluice.execution.runtime.JobCancelledException;
import io.sluice.execution.checkpoint.CheckpointStats;
import io.sluice.execution.runtime.JobHandle;
import io.sluice.translation.metrics.JobMetrics;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.util.UserCodeException;
import org.joda.time.Duration;

/** A running or finished Sluice job, as Beam sees it. */
public final class SluicePipelineResult implements PipelineResult {

  private static final long CANCEL_WAIT_SECONDS = 30;

  private final JobHandle job;
  private final JobMetrics metrics;

  SluicePipelineResult(JobHandle job, JobMetrics metrics) {
    this.job = job;
    this.metrics = metrics;
  }

  @Override
  public State getState() {
    if (!job.completion().isDone()) {
      return State.RUNNING;
    }
    try {
      job.completion().getNow(null);
      return State.DONE;
    } catch (CancellationException e) {
      return job.savepoint() != null ? State.STOPPED : State.CANCELLED;
    } catch (RuntimeException e) {
      if (job.savepoint() != null) {
        return State.STOPPED;
      }
      return cause(e) instanceof JobCancelledException ? State.CANCELLED : State.FAILED;
    }
  }

  /**
   * Takes a savepoint, then stops the job (its state becomes STOPPED): to upgrade it, run the new
   * version with {@code --restoreFrom} the returned directory. Needs {@code --checkpointingInterval}.
   *
   * @throws IllegalStateException if the job takes no checkpoints or the savepoint failed (the job
   *     then runs on)
   */
  public java.nio.file.Path stopWithSavepoint(Duration timeout) throws InterruptedException {
    java.nio.file.Path savepoint = job.stopWithSavepoint(java.time.Duration.ofMillis(timeout.getMillis()));
    try {
      job.completion().get(CANCEL_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | CancellationException | TimeoutException e) {
      // Stopped: getState() says so.
    }
    return savepoint;
  }

  /**
   * The job's checkpoint figures: how many completed and were declined, bytes written and shared,
   * duration percentiles, and the latest checkpoint; null when the job takes no checkpoints. Also
   * logged, one line per checkpoint.
   */
  public CheckpointStats.Summary checkpointStats() {
    return job.checkpointStats();
  }

  @Override
  public State cancel() {
    job.cancel();
    try {
      job.completion().get(CANCEL_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | CancellationException | TimeoutException e) {
      // The state below says what happened.
    }
    return getState();
  }

  /**
   * Waits at most {@code duration} (less than 1 ms: without limit); returns null if the job is
   * still running then. A failed job
   * throws {@link Pipeline.PipelineExecutionException} with the user's exception as its cause.
   */
  @Override
  public State waitUntilFinish(Duration duration) {
    if (duration.getMillis() < 1) {
      // Beam's contract: less than a millisecond means no limit.
      return waitUntilFinish();
    }
    try {
      job.completion().get(duration.getMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (ExecutionException | CancellationException e) {
      return rethrowFailure(e);
    }
    return State.DONE;
  }

  @Override
  public State waitUntilFinish() {
    try {
      job.completion().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      job.cancel();
      throw new IllegalStateException("interrupted while waiting for the job; it was cancelled", e);
    } catch (ExecutionException | CancellationException e) {
      return rethrowFailure(e);
    }
    return State.DONE;
  }

  private State rethrowFailure(Exception e) {
    Throwable cause = cause(e);
    if (cause instanceof JobCancelledException || e instanceof CancellationException) {
      return job.savepoint() != null ? State.STOPPED : State.CANCELLED;
    }
    if (cause instanceof UserCodeException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    throw new Pipeline.PipelineExecutionException(cause);
  }

  private static Throwable cause(Exception e) {
    return e.getCause() == null ? e : e.getCause();
  }

  /** Runs {@code action} once the job has ended, however it ended. */
  void whenFinished(Runnable action) {
    job.completion().whenComplete((ignored, error) -> action.run());
  }

  @Override
  public MetricResults metrics() {
    return metrics.results(getState() == State.DONE);
  }
}

package io.sluice.portability.operators;

import io.sluice.execution.runtime.DaemonThreads;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.control.DefaultJobBundleFactory;
import org.apache.beam.runners.fnexecution.control.ExecutableStageContext;
import org.apache.beam.runners.fnexecution.control.JobBundleFactory;
import org.apache.beam.runners.fnexecution.control.StageBundleFactory;
import org.apache.beam.runners.fnexecution.environment.EnvironmentFactory;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.construction.PipelineOptionsTranslation;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stage context per job in this process, shared by every stage operator of the job: the SDK
 * harnesses its environments start serve all of them, and go when the last user lets go. The
 * process that runs a job holds it for the job's whole life ({@link #holdFor}): operators open and
 * close at different moments, and a count falling to zero between two of them would shut the
 * harness down under a bundle another operator has open.
 */
public final class StageContexts {

  private static final Logger LOG = LoggerFactory.getLogger(StageContexts.class);

  private record Shared(ExecutableStageContext context, int users) {}

  /** How long harnesses outlive the last operator of a job that no job runner holds. */
  private static final Duration LINGER = Duration.ofSeconds(30);
  private static final ScheduledExecutorService LINGERING = Executors.newSingleThreadScheduledExecutor(
      DaemonThreads.named("sluice-stage-contexts"));

  /** By job id: derived, while an operator of the job is open. */
  private static final Map<String, Shared> BY_JOB = new HashMap<>();

  private StageContexts() {}

  /** Keeps job {@code job}'s stage context (and its harnesses) until the returned handle is closed. */
  public static AutoCloseable holdFor(JobInfo job) {
    acquire(job);
    return () -> release(job);
  }

  static synchronized ExecutableStageContext acquire(JobInfo job) {
    Shared shared = BY_JOB.get(job.jobId());
    if (shared == null) {
      shared = new Shared(contextFor(job), 0);
    }
    BY_JOB.put(job.jobId(), new Shared(shared.context(), shared.users() + 1));
    return shared.context();
  }

  /**
   * Beam's job bundle factory over environments that are handed out once their harness answers;
   * each stage's bundles described by Sluice ({@link StageBundles}).
   */
  private static JobContext contextFor(JobInfo job) {
    PipelineOptions options = PipelineOptionsTranslation.fromProto(job.pipelineOptions());
    Map<String, EnvironmentFactory.Provider> providers = AnsweringEnvironments.providers(options);
    JobBundleFactory factory = DefaultJobBundleFactory.create(job, providers);
    HarnessEndpoints endpoints = new HarnessEndpoints(options, providers);
    return new JobContext() {
      /** Stages of the runner's own (merging windows), by payload: derived, closed with the context. */
      private final Map<ByteString, StageBundles> runnerStages = new java.util.concurrent.ConcurrentHashMap<>();

      @Override
      public StageBundles runnerStage(byte[] payload) {
        return runnerStages.computeIfAbsent(ByteString.copyFrom(payload), bytes -> {
          try {
            return (StageBundles) getStageBundleFactory(
                ExecutableStage.fromPayload(RunnerApi.ExecutableStagePayload.parseFrom(bytes)));
          } catch (java.io.IOException e) {
            throw new IllegalStateException("a stage of the runner's own does not parse", e);
          }
        });
      }

      @Override
      public StageBundleFactory getStageBundleFactory(ExecutableStage stage) {
        StageBundleFactory harness = factory.forStage(stage);
        try {
          return new StageBundles(harness, stage, endpoints);
        } catch (java.io.IOException | RuntimeException e) {
          try {
            harness.close();
          } catch (Exception suppressed) {
            e.addSuppressed(suppressed);
          }
          throw new IllegalStateException("stage " + stage.getTransforms().iterator().next().getId()
              + " cannot be described to its SDK harness", e);
        }
      }

      @Override
      public void close() throws Exception {
        for (StageBundles stage : runnerStages.values()) {
          stage.close();
        }
        // As Beam closes its own endpoints: before the harnesses, which would otherwise hang up on them.
        try {
          endpoints.close();
        } finally {
          factory.close();
        }
      }
    };
  }

  /** A job's stage context, which also keeps the stages the runner itself runs in the SDK. */
  private interface JobContext extends ExecutableStageContext {
    StageBundles runnerStage(byte[] payload);
  }

  /** What the runner does with a stage of its own. */
  interface StageUse<T> {
    T apply(StageBundles stage) throws Exception;
  }

  /**
   * Uses a stage the runner itself runs in job {@code job}'s SDK (merging windows), described once
   * while the job's context lives and closed with it; the context is held meanwhile.
   */
  static <T> T withRunnerStage(JobInfo job, byte[] payload, StageUse<T> use) throws Exception {
    JobContext context = (JobContext) acquire(job);
    try {
      return use.apply(context.runnerStage(payload));
    } finally {
      releaseByOperator(job);
    }
  }

  /** The job runner lets go: with no operator open either, the harnesses go now. */
  static void release(JobInfo job) {
    release(job, false);
  }

  /**
   * An operator lets go. Where no job runner holds the context (a cluster's worker process runs
   * parts of the job without knowing the job's end), the harnesses outlive the last operator by
   * {@link #LINGER}: another operator of the job may still open, and closing under it would lose
   * its bundles.
   */
  static void releaseByOperator(JobInfo job) {
    release(job, true);
  }

  private static void release(JobInfo job, boolean linger) {
    ExecutableStageContext last;
    synchronized (StageContexts.class) {
      Shared shared = BY_JOB.get(job.jobId());
      if (shared == null) {
        return;
      }
      BY_JOB.put(job.jobId(), new Shared(shared.context(), shared.users() - 1));
      if (shared.users() > 1) {
        return;
      }
      if (linger) {
        LINGERING.schedule(() -> closeIfUnused(job, shared.context()), LINGER.toMillis(), TimeUnit.MILLISECONDS);
        return;
      }
      BY_JOB.remove(job.jobId());
      last = shared.context();
    }
    close(job, last);
  }

  private static void closeIfUnused(JobInfo job, ExecutableStageContext context) {
    synchronized (StageContexts.class) {
      Shared shared = BY_JOB.get(job.jobId());
      if (shared == null || shared.context() != context || shared.users() > 0) {
        return;
      }
      BY_JOB.remove(job.jobId());
    }
    close(job, context);
  }

  private static void close(JobInfo job, ExecutableStageContext context) {
    try {
      context.close();
    } catch (Exception e) {
      LOG.warn("The SDK environments of job {} did not close cleanly", job.jobId(), e);
    }
  }
}

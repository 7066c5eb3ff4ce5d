package io.sluice.portability.jobservice;

import io.sluice.execution.runtime.ExecutionConfig;
import io.sluice.execution.runtime.JobHandle;
import io.sluice.portability.operators.StageContexts;
import io.sluice.portability.operators.StageMetrics;
import io.sluice.portability.translation.PortablePipelineTranslator;
import io.sluice.translation.metrics.JobMetrics;
import io.sluice.translation.options.RecoveryOptionValues;
import io.sluice.translation.options.RecoveryOptions;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.apache.beam.model.jobmanagement.v1.JobApi.JobState;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.construction.PipelineOptionsTranslation;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one portable job where its launcher puts it (the embedded engine, a cluster): translates
 * the pipeline proto into a job graph, starts it, and reports its end to the job's invocation (a
 * failure's root cause as the job's error). A job the engine cannot run fails with what it cannot
 * do, named.
 */
public final class PortableJobRunner {

  private static final Logger LOG = LoggerFactory.getLogger(PortableJobRunner.class);

  private final int parallelism;
  private final JobLauncher launcher;

  public PortableJobRunner(int parallelism, JobLauncher launcher) {
    this.parallelism = parallelism;
    this.launcher = launcher;
  }

  void run(JobInvocation job, RunnerApi.Pipeline pipeline, Struct options) {
    try {
      PipelineOptions pipelineOptions = PipelineOptionsTranslation.fromProto(options);
      JobInfo info = JobInfo.create(job.id(), job.name(), "", options);
      PortablePipelineTranslator.Translation translation =
          PortablePipelineTranslator.translate(pipeline, info, pipelineOptions, parallelism);
      StageMetrics metrics = new StageMetrics();
      // The job's harnesses live as long as the job, not as long as its first operators.
      try (AutoCloseable harnesses = StageContexts.holdFor(info)) {
        JobHandle handle = launcher.launch(translation.graph(), RecoveryOptionValues.configure(new ExecutionConfig(),
                pipelineOptions.as(RecoveryOptions.class), translation.streaming())
                .jobResource(StageMetrics.class, metrics)
                .jobResource(JobMetrics.class, translation.metrics())
                .processingTimeMode(translation.processingTimeMode()));
        job.setMetrics(metrics::monitoringInfos);
        job.setCancel(handle::cancel);
        job.setState(JobState.Enum.RUNNING);
        LOG.info("Job {} running: {} vertices", job.id(), translation.graph().vertices().size());
        handle.completion().join();
      }
      job.setState(JobState.Enum.DONE);
    } catch (CancellationException e) {
      job.setState(JobState.Enum.CANCELLED);
    } catch (CompletionException e) {
      if (e.getCause() instanceof CancellationException
          || e.getCause() instanceof io.sluice.execution.runtime.JobCancelledException) {
        job.setState(JobState.Enum.CANCELLED);
      } else {
        LOG.warn("Job {} failed", job.id(), e.getCause());
        job.failed(e.getCause());
      }
    } catch (Exception | Error e) {
      LOG.warn("Job {} failed", job.id(), e);
      job.failed(e);
    }
  }
}

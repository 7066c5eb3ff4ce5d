package io.sluice.portability.client;

import io.sluice.portability.jobservice.JobServer;
import io.sluice.translation.metrics.MetricsPushing;
import org.apache.beam.sdk.metrics.MetricsOptions;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.apache.beam.model.jobmanagement.v1.ArtifactStagingServiceGrpc;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.jobmanagement.v1.JobServiceGrpc;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.artifact.ArtifactRetrievalService;
import org.apache.beam.runners.fnexecution.artifact.ArtifactStagingService;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.construction.Environments;
import org.apache.beam.sdk.util.construction.PipelineOptionsTranslation;
import org.apache.beam.sdk.util.construction.PipelineTranslation;
import org.apache.beam.sdk.util.construction.SdkComponents;
import org.apache.beam.sdk.util.construction.resources.PipelineResources;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannel;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannelBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Java pipeline on Sluice through the Job API, as an SDK's portable runner does: the
 * pipeline goes as a proto to a job server ({@code --jobEndpoint}; by default one this runner
 * starts in its own JVM), its user code runs in Java SDK harnesses over the Fn API (EMBEDDED in the
 * job server's JVM by default). What it returns follows the job through the Job API: its state,
 * cancel, its metrics from the harnesses' reports, a failure with the harness's error.
 */
public final class SluicePortableRunner extends PipelineRunner<PortableJobResult> {

  private static final Logger LOG = LoggerFactory.getLogger(SluicePortableRunner.class);

  /** The job server this JVM started for in-process submissions: derived, lives as long as the JVM. */
  private static JobServer inProcess;
  /** One connection per job server, shared by every job submitted there: derived, as long as the JVM. */
  private static final java.util.Map<String, ManagedChannel> CHANNELS = new java.util.concurrent.ConcurrentHashMap<>();

  private final SluicePortableOptions options;

  private SluicePortableRunner(SluicePortableOptions options) {
    this.options = options;
  }

  public static SluicePortableRunner fromOptions(PipelineOptions options) {
    return new SluicePortableRunner(options.as(SluicePortableOptions.class));
  }

  @Override
  public PortableJobResult run(Pipeline pipeline) {
    String endpoint = options.getJobEndpoint();
    if (endpoint == null || endpoint.isEmpty() || SluicePortableOptions.IN_PROCESS.equals(endpoint)) {
      endpoint = inProcessEndpoint(options.getJobServerParallelism());
      if (options.getDefaultEnvironmentType() == null) {
        // The harness runs beside the job server, in this JVM: nothing to stage, nothing to start.
        options.setDefaultEnvironmentType(Environments.ENVIRONMENT_EMBEDDED);
      }
    }
    String environment = options.getDefaultEnvironmentType();
    if (environment != null && !Environments.ENVIRONMENT_EMBEDDED.equals(environment)
        && !Environments.ENVIRONMENT_LOOPBACK.equals(environment)) {
      // The harness runs elsewhere and loads the job's classes from what is staged: the class path
      // when no files are named, directories packed as jars.
      PipelineResources.prepareFilesForStaging(options);
    }
    RunnerApi.Pipeline proto = toProto(pipeline);
    ManagedChannel channel = channelTo(endpoint);
    try {
      JobServiceGrpc.JobServiceBlockingStub jobs = JobServiceGrpc.newBlockingStub(channel);
      JobApi.PrepareJobResponse prepared = jobs.withDeadlineAfter(options.getJobServerTimeout(), TimeUnit.SECONDS)
          .withWaitForReady()
          .prepare(JobApi.PrepareJobRequest.newBuilder()
              .setJobName(options.getJobName())
              .setPipeline(proto)
              .setPipelineOptions(PipelineOptionsTranslation.toProto(options))
              .build());
      stage(prepared);
      JobApi.RunJobResponse run = jobs.run(JobApi.RunJobRequest.newBuilder()
          .setPreparationId(prepared.getPreparationId()).build());
      LOG.info("Job {} submitted to {} as {}", options.getJobName(), endpoint, run.getJobId());
      PortableJobResult result = new PortableJobResult(channel, run.getJobId());
      MetricsPushing.start(options.as(MetricsOptions.class), () -> result.metrics().allMetrics(), result::whenFinished);
      if (options.isBlockOnRun()) {
        result.waitUntilFinish();
      }
      return result;
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot submit job " + options.getJobName() + " to " + endpoint, e);
    }
  }

  private static ManagedChannel channelTo(String endpoint) {
    return CHANNELS.computeIfAbsent(endpoint, target -> ManagedChannelBuilder.forTarget(target).usePlaintext()
        .maxInboundMessageSize(Integer.MAX_VALUE).build());
  }

  private RunnerApi.Pipeline toProto(Pipeline pipeline) {
    SdkComponents components = SdkComponents.create();
    components.registerEnvironment(Environments.createOrGetDefaultEnvironment(options).toBuilder()
        .addAllCapabilities(Environments.getJavaCapabilities())
        .build());
    // Side inputs as the Fn API reads them, without the deprecated CreateView transforms no harness runs.
    return PipelineTranslation.toProto(pipeline, components, false);
  }

  /** Offers the environments' dependencies to the job server's artifact staging (it asks for what it needs). */
  private void stage(JobApi.PrepareJobResponse prepared) throws Exception {
    String url = prepared.getArtifactStagingEndpoint().getUrl();
    ManagedChannel staging = ManagedChannelBuilder.forTarget(url).usePlaintext().build();
    try {
      ArtifactStagingService.offer(new ArtifactRetrievalService(), ArtifactStagingServiceGrpc.newStub(staging),
          prepared.getStagingSessionToken());
    } finally {
      staging.shutdownNow();
    }
  }

  private static synchronized String inProcessEndpoint(int parallelism) {
    if (inProcess == null) {
      try {
        inProcess = JobServer.start("localhost", 0, 0, Files.createTempDirectory("sluice-artifacts"), parallelism);
      } catch (Exception e) {
        throw new IllegalStateException("cannot start a job server in this JVM", e);
      }
      JobServer started = inProcess;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          started.close();
        } catch (Exception e) {
          LOG.debug("closing the in-process job server", e);
        }
      }, "sluice-job-server-shutdown"));
    }
    return inProcess.jobEndpoint();
  }
}

package io.sluice.portability.jobservice;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.jobmanagement.v1.JobApi.JobMessage;
import org.apache.beam.model.jobmanagement.v1.JobApi.JobState;
import org.apache.beam.model.jobmanagement.v1.JobApi.JobStateEvent;
import org.apache.beam.model.jobmanagement.v1.JobServiceGrpc;
import org.apache.beam.model.pipeline.v1.Endpoints;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import io.sluice.portability.translation.PortablePipelineTranslator;
import org.apache.beam.runners.fnexecution.artifact.ArtifactStagingService;
import org.apache.beam.sdk.fn.server.FnService;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.construction.graph.PipelineValidator;
import org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.Struct;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.Status;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.stub.ServerCallStreamObserver;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beam's Job API: a client prepares a job (its pipeline and options), stages its artifacts to the
 * artifact staging endpoint it is given, runs it, and watches its states and messages until it
 * ends. Streams asked for a preparation id, not a job's, are answered NOT_FOUND at once: clients
 * then ask again with the job's id, without the deadline they used first.
 */
public final class SluiceJobService extends JobServiceGrpc.JobServiceImplBase implements FnService {

  private static final Logger LOG = LoggerFactory.getLogger(SluiceJobService.class);

  /** A job prepared and not yet run: its pipeline, options and staging token. */
  private record Preparation(String id, String name, RunnerApi.Pipeline pipeline, Struct options, String token) {}

  private final Endpoints.ApiServiceDescriptor stagingEndpoint;
  private final ArtifactStagingService staging;
  private final PortableJobRunner runner;
  private final ExecutorService executor;
  /** Prepared jobs by preparation id: until run. */
  private final Map<String, Preparation> preparations = new ConcurrentHashMap<>();
  /** Jobs by id, for the service's life. */
  private final Map<String, JobInvocation> jobs = new ConcurrentHashMap<>();

  public SluiceJobService(Endpoints.ApiServiceDescriptor stagingEndpoint, ArtifactStagingService staging,
      PortableJobRunner runner, ExecutorService executor) {
    this.stagingEndpoint = stagingEndpoint;
    this.staging = staging;
    this.runner = runner;
    this.executor = executor;
  }

  @Override
  public void prepare(JobApi.PrepareJobRequest request, StreamObserver<JobApi.PrepareJobResponse> response) {
    String refusal = PortablePipelineTranslator.refusal(request.getPipeline());
    if (refusal != null) {
      LOG.info("Refused to prepare job {}: {}", request.getJobName(), refusal);
      response.onError(Status.FAILED_PRECONDITION.withDescription(refusal).asException());
      return;
    }
    try {
      String name = request.getJobName().isEmpty() ? "job" : request.getJobName();
      String id = name + "_" + UUID.randomUUID();
      Preparation p = new Preparation(id, name, request.getPipeline(), request.getPipelineOptions(), id);
      Map<String, java.util.List<RunnerApi.ArtifactInformation>> dependencies = new java.util.HashMap<>();
      request.getPipeline().getComponents().getEnvironmentsMap()
          .forEach((envId, env) -> dependencies.put(envId, env.getDependenciesList()));
      staging.registerJob(p.token(), dependencies);
      preparations.put(id, p);
      LOG.info("Prepared job {}", id);
      response.onNext(JobApi.PrepareJobResponse.newBuilder().setPreparationId(id)
          .setArtifactStagingEndpoint(stagingEndpoint).setStagingSessionToken(p.token()).build());
      response.onCompleted();
    } catch (RuntimeException e) {
      LOG.warn("Could not prepare a job", e);
      response.onError(Status.INTERNAL.withDescription(e.toString()).asException());
    }
  }

  @Override
  public void run(JobApi.RunJobRequest request, StreamObserver<JobApi.RunJobResponse> response) {
    Preparation p = preparations.remove(request.getPreparationId());
    if (p == null) {
      response.onError(Status.NOT_FOUND.withDescription("no prepared job " + request.getPreparationId()).asException());
      return;
    }
    RunnerApi.Pipeline pipeline;
    try {
      PipelineValidator.validate(named(p.pipeline()));
      pipeline = named(withStagedArtifacts(p));
    } catch (RuntimeException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asException());
      return;
    }
    JobInvocation job = new JobInvocation(p.id(), p.name(), pipeline);
    jobs.put(job.id(), job);
    job.setState(JobState.Enum.STARTING);
    executor.execute(() -> runner.run(job, pipeline, p.options()));
    response.onNext(JobApi.RunJobResponse.newBuilder().setJobId(job.id()).build());
    response.onCompleted();
  }

  /**
   * The pipeline with every transform named: a transform without a unique name (Python's packed
   * combiners come so) takes its id, which is unique, so that steps, metrics and Beam's validation
   * can tell them apart.
   */
  private static RunnerApi.Pipeline named(RunnerApi.Pipeline pipeline) {
    RunnerApi.Pipeline.Builder named = pipeline.toBuilder();
    pipeline.getComponents().getTransformsMap().forEach((id, transform) -> {
      if (transform.getUniqueName().isEmpty()) {
        named.getComponentsBuilder().putTransforms(id, transform.toBuilder().setUniqueName(id).build());
      }
    });
    return named.build();
  }

  /** The pipeline with each environment's dependencies replaced by what was staged for it. */
  private RunnerApi.Pipeline withStagedArtifacts(Preparation p) {
    Map<String, java.util.List<RunnerApi.ArtifactInformation>> staged = staging.getStagedArtifacts(p.token());
    RunnerApi.Pipeline.Builder pipeline = p.pipeline().toBuilder();
    for (Map.Entry<String, RunnerApi.Environment> e : p.pipeline().getComponents().getEnvironmentsMap().entrySet()) {
      if (e.getValue().getDependenciesCount() == 0) {
        continue;
      }
      if (staged == null || !staged.containsKey(e.getKey())) {
        throw new IllegalArgumentException("the artifacts of environment " + e.getKey() + " were not staged");
      }
      pipeline.getComponentsBuilder().putEnvironments(e.getKey(),
          e.getValue().toBuilder().clearDependencies().addAllDependencies(staged.get(e.getKey())).build());
    }
    return pipeline.build();
  }

  @Override
  public void getJobs(JobApi.GetJobsRequest request, StreamObserver<JobApi.GetJobsResponse> response) {
    JobApi.GetJobsResponse.Builder all = JobApi.GetJobsResponse.newBuilder();
    jobs.values().forEach(j -> all.addJobInfo(JobApi.JobInfo.newBuilder().setJobId(j.id()).setJobName(j.name())
        .setState(j.state().getState())));
    response.onNext(all.build());
    response.onCompleted();
  }

  @Override
  public void getState(JobApi.GetJobStateRequest request, StreamObserver<JobStateEvent> response) {
    answer(request.getJobId(), response, JobInvocation::state);
  }

  @Override
  public void getPipeline(JobApi.GetJobPipelineRequest request, StreamObserver<JobApi.GetJobPipelineResponse> response) {
    answer(request.getJobId(), response,
        job -> JobApi.GetJobPipelineResponse.newBuilder().setPipeline(job.pipeline()).build());
  }

  @Override
  public void cancel(JobApi.CancelJobRequest request, StreamObserver<JobApi.CancelJobResponse> response) {
    answer(request.getJobId(), response, job -> {
      job.cancel();
      return JobApi.CancelJobResponse.newBuilder().setState(job.state().getState()).build();
    });
  }

  @Override
  public void getStateStream(JobApi.GetJobStateRequest request, StreamObserver<JobStateEvent> response) {
    stream(request.getJobId(), response, event -> event, null);
  }

  @Override
  public void getMessageStream(JobApi.JobMessagesRequest request, StreamObserver<JobApi.JobMessagesResponse> response) {
    stream(request.getJobId(), response,
        event -> JobApi.JobMessagesResponse.newBuilder().setStateResponse(event).build(),
        message -> JobApi.JobMessagesResponse.newBuilder().setMessageResponse(message).build());
  }

  /**
   * Streams job {@code id}'s states (and messages, unless {@code onMessage} is null) to
   * {@code response} until the job ends, which completes the stream, or the client goes away.
   */
  private <T> void stream(String id, StreamObserver<T> response, Function<JobStateEvent, T> onState,
      Function<JobMessage, T> onMessage) {
    JobInvocation job = job(id, response);
    if (job == null) {
      return;
    }
    JobInvocation.Listener listener = new JobInvocation.Listener() {
      @Override
      public void state(JobStateEvent event) {
        response.onNext(onState.apply(event));
        if (JobInvocation.isTerminal(event.getState())) {
          response.onCompleted();
        }
      }

      @Override
      public void message(JobMessage message) {
        if (onMessage != null) {
          response.onNext(onMessage.apply(message));
        }
      }
    };
    if (response instanceof ServerCallStreamObserver<?> call) {
      call.setOnCancelHandler(() -> job.removeListener(listener));
    }
    // A terminal job's replay ends with its terminal state, which completes the stream.
    job.listen(listener, l -> {});
  }

  @Override
  public void getJobMetrics(JobApi.GetJobMetricsRequest request, StreamObserver<JobApi.GetJobMetricsResponse> response) {
    answer(request.getJobId(), response,
        job -> JobApi.GetJobMetricsResponse.newBuilder().setMetrics(job.metrics()).build());
  }

  @Override
  public void describePipelineOptions(JobApi.DescribePipelineOptionsRequest request,
      StreamObserver<JobApi.DescribePipelineOptionsResponse> response) {
    response.onNext(JobApi.DescribePipelineOptionsResponse.newBuilder()
        .addAllOptions(PipelineOptionsFactory.describe(PipelineOptionsFactory.getRegisteredOptions())).build());
    response.onCompleted();
  }

  /** Answers a question about job {@code id} once, or NOT_FOUND. */
  private <T> void answer(String id, StreamObserver<T> response, Function<JobInvocation, T> reply) {
    JobInvocation job = job(id, response);
    if (job != null) {
      response.onNext(reply.apply(job));
      response.onCompleted();
    }
  }

  /** The job {@code id}, or null after answering NOT_FOUND (a preparation id is not a job's). */
  private JobInvocation job(String id, StreamObserver<?> response) {
    JobInvocation job = jobs.get(id);
    if (job == null) {
      response.onError(Status.NOT_FOUND.withDescription("no job " + id).asException());
    }
    return job;
  }

  @Override
  public void close() {
    jobs.values().forEach(JobInvocation::cancel);
  }
}

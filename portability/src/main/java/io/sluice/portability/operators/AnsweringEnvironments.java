package io.sluice.portability.operators;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.HarnessMonitoringInfosRequest;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.InstructionRequest;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.control.ControlClientPool;
import org.apache.beam.runners.fnexecution.control.FnApiControlClientPoolService;
import org.apache.beam.runners.fnexecution.control.InstructionRequestHandler;
import org.apache.beam.runners.fnexecution.environment.DockerEnvironmentFactory;
import org.apache.beam.runners.fnexecution.environment.EmbeddedEnvironmentFactory;
import org.apache.beam.runners.fnexecution.environment.EnvironmentFactory;
import org.apache.beam.runners.fnexecution.environment.ExternalEnvironmentFactory;
import org.apache.beam.runners.fnexecution.environment.ProcessEnvironmentFactory;
import org.apache.beam.runners.fnexecution.environment.RemoteEnvironment;
import org.apache.beam.runners.fnexecution.artifact.ArtifactRetrievalService;
import org.apache.beam.runners.fnexecution.logging.GrpcLoggingService;
import org.apache.beam.runners.fnexecution.provisioning.StaticGrpcProvisionService;
import org.apache.beam.sdk.fn.IdGenerator;
import org.apache.beam.sdk.fn.server.GrpcFnServer;
import org.apache.beam.sdk.fn.server.ServerFactory;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.util.construction.BeamUrns;
import org.apache.beam.sdk.util.construction.Environments;
import org.apache.beam.model.pipeline.v1.RunnerApi.StandardEnvironments;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SDK environments Beam's job bundle factory starts (docker, process, external, embedded), each
 * handed out only once its harness has answered an instruction.
 *
 * <p>Why: Beam's Java harness (BeamFnControlClient) starts its control stream before it keeps the
 * stream's outbound side, so an instruction that arrives and is done in that gap has its response
 * thrown away (a NullPointerException inside a task whose failure nobody reads). The first bundle
 * of a job then waits forever for an answer the harness believes it gave. Asking a harmless
 * question first, and again until it is answered, means the first bundle only goes out once the
 * harness can answer it.
 */
final class AnsweringEnvironments {

  private static final Logger LOG = LoggerFactory.getLogger(AnsweringEnvironments.class);

  /**
   * A head start for the harness: a probe sent the moment the harness connects arrives while its
   * control client is still being built, and about one in six is lost so (each lost probe then
   * shows in Beam's log as an outstanding request when the environment closes).
   */
  private static final Duration HEAD_START = Duration.ofMillis(50);
  /** How long the first probe may go unanswered before another is sent; doubled for each next one. */
  private static final Duration FIRST_PROBE_WAIT = Duration.ofMillis(100);
  private static final Duration LONGEST_PROBE_WAIT = Duration.ofSeconds(2);
  /** How long a harness that is connected may take to answer at all. */
  private static final Duration ANSWER_BOUND = Duration.ofSeconds(60);

  private AnsweringEnvironments() {}

  /** Beam's environment providers by URN, as its job bundle factory has them, each waiting for answers. */
  static Map<String, EnvironmentFactory.Provider> providers(PipelineOptions options) {
    Map<String, EnvironmentFactory.Provider> providers = new HashMap<>();
    providers.put(BeamUrns.getUrn(StandardEnvironments.Environments.DOCKER),
        answering(new DockerEnvironmentFactory.Provider(options)));
    providers.put(BeamUrns.getUrn(StandardEnvironments.Environments.PROCESS),
        answering(new ProcessEnvironmentFactory.Provider(options)));
    providers.put(BeamUrns.getUrn(StandardEnvironments.Environments.EXTERNAL),
        answering(new ExternalEnvironmentFactory.Provider()));
    providers.put(Environments.ENVIRONMENT_EMBEDDED,
        answering(new EmbeddedEnvironmentFactory.Provider(options)));
    return providers;
  }

  private static EnvironmentFactory.Provider answering(EnvironmentFactory.Provider provider) {
    return new EnvironmentFactory.Provider() {
      @Override
      public EnvironmentFactory createEnvironmentFactory(
          GrpcFnServer<FnApiControlClientPoolService> control,
          GrpcFnServer<GrpcLoggingService> logging,
          GrpcFnServer<ArtifactRetrievalService> retrieval,
          GrpcFnServer<StaticGrpcProvisionService> provisioning,
          ControlClientPool clients,
          IdGenerator ids) {
        EnvironmentFactory factory =
            provider.createEnvironmentFactory(control, logging, retrieval, provisioning, clients, ids);
        return (RunnerApi.Environment environment, String workerId) -> {
          RemoteEnvironment started = factory.createEnvironment(environment, workerId);
          try {
            awaitAnswer(started.getInstructionRequestHandler(), workerId);
          } catch (Exception e) {
            started.close();
            throw e;
          }
          return started;
        };
      }

      @Override
      public ServerFactory getServerFactory() {
        return provider.getServerFactory();
      }
    };
  }

  /**
   * Returns once the harness behind {@code handler} has answered a probe (an error answer counts:
   * it came back); fails when it closes its connection or stays silent past {@link #ANSWER_BOUND}.
   */
  static void awaitAnswer(InstructionRequestHandler handler, String workerId) throws Exception {
    long start = System.nanoTime();
    long deadline = start + ANSWER_BOUND.toNanos();
    Thread.sleep(HEAD_START.toMillis());
    long wait = FIRST_PROBE_WAIT.toMillis();
    for (int probe = 1; ; probe++) {
      InstructionRequest question = InstructionRequest.newBuilder()
          .setInstructionId("sluice-ready-" + workerId + "-" + probe)
          .setHarnessMonitoringInfos(HarnessMonitoringInfosRequest.getDefaultInstance())
          .build();
      CompletableFuture<?> answer = handler.handle(question).toCompletableFuture();
      try {
        answer.get(wait, TimeUnit.MILLISECONDS);
        if (probe > 1) {
          LOG.debug("SDK harness {} answered probe {}", workerId, probe);
        }
        return;
      } catch (ExecutionException e) {
        if (String.valueOf(e.getCause().getMessage()).startsWith("Error received from SDK harness")) {
          return;
        }
        throw new IllegalStateException("SDK harness " + workerId + " went away before it answered", e.getCause());
      } catch (TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("SDK harness " + workerId + " is connected but answered none of "
              + probe + " instructions in " + ANSWER_BOUND.toSeconds() + " s", e);
        }
        if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(10)) {
          LOG.warn("SDK harness {} is connected but has answered none of {} instructions yet", workerId, probe);
        }
        wait = Math.min(wait * 2, LONGEST_PROBE_WAIT.toMillis());
      }
    }
  }
}

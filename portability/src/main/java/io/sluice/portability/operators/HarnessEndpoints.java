package io.sluice.portability.operators;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.control.InstructionRequestHandler;
import org.apache.beam.runners.fnexecution.data.GrpcDataService;
import org.apache.beam.runners.fnexecution.environment.EnvironmentFactory;
import org.apache.beam.runners.fnexecution.state.GrpcStateService;
import org.apache.beam.sdk.fn.server.GrpcFnServer;
import org.apache.beam.sdk.fn.server.ServerFactory;
import org.apache.beam.sdk.fn.stream.OutboundObserverFactory;
import org.apache.beam.sdk.options.PipelineOptions;
import io.sluice.execution.runtime.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data and state endpoints of one job's SDK harnesses that {@link StageBundles}' descriptors
 * name: one pair per harness, since a data service sends to the first harness that connects to it.
 * Lives as long as the job's stage context; closed just before its harnesses.
 */
final class HarnessEndpoints implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HarnessEndpoints.class);

  record Pair(GrpcFnServer<GrpcDataService> data, GrpcFnServer<GrpcStateService> state) {}

  private final PipelineOptions options;
  /** How each kind of environment's harness reaches the runner (in process, or a local port). */
  private final Map<String, EnvironmentFactory.Provider> providers;
  private final ExecutorService executor;
  /** By harness (its control client): derived, for the job's life. */
  private final Map<InstructionRequestHandler, Pair> byHarness = new IdentityHashMap<>();
  private boolean closed;

  HarnessEndpoints(PipelineOptions options, Map<String, EnvironmentFactory.Provider> providers) {
    this.options = options;
    this.providers = providers;
    this.executor = Executors.newCachedThreadPool(DaemonThreads.named("sluice-harness-data"));
  }

  synchronized Pair of(InstructionRequestHandler harness, RunnerApi.Environment environment) {
    if (closed) {
      throw new IllegalStateException("the job's harness endpoints are closed");
    }
    Pair pair = byHarness.get(harness);
    if (pair == null) {
      EnvironmentFactory.Provider provider = providers.get(environment.getUrn());
      ServerFactory servers = provider == null ? ServerFactory.createDefault() : provider.getServerFactory();
      try {
        GrpcFnServer<GrpcDataService> data = GrpcFnServer.allocatePortAndCreateFor(
            GrpcDataService.create(options, executor, OutboundObserverFactory.serverDirect()), servers);
        pair = new Pair(data, GrpcFnServer.allocatePortAndCreateFor(GrpcStateService.create(), servers));
      } catch (java.io.IOException e) {
        throw new IllegalStateException("no data or state endpoint for an SDK harness could be opened", e);
      }
      byHarness.put(harness, pair);
    }
    return pair;
  }

  @Override
  public void close() {
    List<Pair> pairs;
    synchronized (this) {
      closed = true;
      pairs = new ArrayList<>(byHarness.values());
      byHarness.clear();
    }
    for (Pair pair : pairs) {
      for (GrpcFnServer<?> server : List.of(pair.data(), pair.state())) {
        try {
          server.close();
        } catch (Exception e) {
          LOG.warn("An SDK harness endpoint did not close cleanly", e);
        }
      }
    }
    executor.shutdownNow();
  }
}

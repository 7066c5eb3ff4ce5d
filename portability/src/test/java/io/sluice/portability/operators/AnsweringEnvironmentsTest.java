package io.sluice.portability.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.apache.beam.fn.harness.control.BeamFnControlClient;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.InstructionRequest;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.InstructionResponse;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.HarnessMonitoringInfosResponse;
import org.apache.beam.model.fnexecution.v1.BeamFnControlGrpc;
import org.apache.beam.runners.fnexecution.control.InstructionRequestHandler;
import org.apache.beam.sdk.fn.stream.OutboundObserverFactory;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannel;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.Server;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.inprocess.InProcessChannelBuilder;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.inprocess.InProcessServerBuilder;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.stub.StreamObserver;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.util.concurrent.MoreExecutors;
import org.junit.jupiter.api.Test;

class AnsweringEnvironmentsTest {

  /**
   * Why the probe exists: Beam's harness control client loses the answer to an instruction it
   * finishes before its constructor has returned. Here the runner sends instruction 1 as soon as
   * the harness connects and the harness handles it at once; its answer never comes, while the
   * answer to instruction 2, sent later, does. Should Beam fix this, this test fails and
   * AnsweringEnvironments can go.
   */
  @Test
  void beamsControlClientDropsAnAnswerFinishedWhileItStarts() throws Exception {
    List<String> answered = new CopyOnWriteArrayList<>();
    List<StreamObserver<InstructionRequest>> toHarness = new ArrayList<>();
    CountDownLatch secondAnswered = new CountDownLatch(1);
    String name = InProcessServerBuilder.generateName();
    Server server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(new BeamFnControlGrpc.BeamFnControlImplBase() {
          @Override
          public StreamObserver<InstructionResponse> control(StreamObserver<InstructionRequest> requests) {
            toHarness.add(requests);
            requests.onNext(probe("1"));
            return new StreamObserver<>() {
              @Override
              public void onNext(InstructionResponse response) {
                answered.add(response.getInstructionId());
                if (response.getInstructionId().equals("2")) {
                  secondAnswered.countDown();
                }
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            };
          }
        }).build().start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    try {
      EnumMap<InstructionRequest.RequestCase,
          org.apache.beam.sdk.function.ThrowingFunction<InstructionRequest, InstructionResponse.Builder>> handlers =
          new EnumMap<>(InstructionRequest.RequestCase.class);
      List<String> handled = new CopyOnWriteArrayList<>();
      handlers.put(InstructionRequest.RequestCase.HARNESS_MONITORING_INFOS, request -> {
        handled.add(request.getInstructionId());
        return InstructionResponse.newBuilder()
            .setHarnessMonitoringInfos(HarnessMonitoringInfosResponse.getDefaultInstance());
      });
      // As the harness's executor does: each task inside a future whose failure nobody reads.
      Executor futureTasks = task -> new FutureTask<>(task, null).run();
      new BeamFnControlClient(BeamFnControlGrpc.newStub(channel).withExecutor(MoreExecutors.directExecutor()),
          OutboundObserverFactory.clientDirect(), futureTasks, handlers);
      toHarness.get(0).onNext(probe("2"));
      assertTrue(secondAnswered.await(10, TimeUnit.SECONDS), "instruction 2 was never answered");
      assertEquals(List.of("1", "2"), handled, "the harness handled both instructions");
      assertEquals(List.of("2"), answered, "only the second one's answer came back");
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }

  @Test
  void aProbeLostIsAskedAgain() throws Exception {
    List<String> asked = new ArrayList<>();
    InstructionRequestHandler losesTheFirst = handler(request -> {
      asked.add(request.getInstructionId());
      return asked.size() == 1 ? new CompletableFuture<>()
          : CompletableFuture.completedFuture(InstructionResponse.getDefaultInstance());
    });
    AnsweringEnvironments.awaitAnswer(losesTheFirst, "w");
    assertEquals(List.of("sluice-ready-w-1", "sluice-ready-w-2"), asked);
  }

  @Test
  void anErrorAnswerIsAnAnswer() throws Exception {
    AnsweringEnvironments.awaitAnswer(handler(request -> CompletableFuture.failedFuture(
        new RuntimeException("Error received from SDK harness for instruction x: unknown request"))), "w");
  }

  @Test
  void aHarnessThatHangsUpFailsTheEnvironment() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> AnsweringEnvironments.awaitAnswer(
        handler(request -> CompletableFuture.failedFuture(new IllegalStateException("SDK harness closed connection"))),
        "w"));
    assertTrue(e.getMessage().contains("went away"), e.getMessage());
  }

  private static InstructionRequest probe(String id) {
    return InstructionRequest.newBuilder().setInstructionId(id)
        .setHarnessMonitoringInfos(org.apache.beam.model.fnexecution.v1.BeamFnApi.HarnessMonitoringInfosRequest
            .getDefaultInstance())
        .build();
  }

  private static InstructionRequestHandler handler(
      java.util.function.Function<InstructionRequest, CompletionStage<InstructionResponse>> answer) {
    return new InstructionRequestHandler() {
      @Override
      public CompletionStage<InstructionResponse> handle(InstructionRequest request) {
        return answer.apply(request);
      }

      @Override
      public void registerProcessBundleDescriptor(
          org.apache.beam.model.fnexecution.v1.BeamFnApi.ProcessBundleDescriptor descriptor) {}

      @Override
      public void close() {}
    };
  }
}

package io.sluice.portability.jobservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.beam.model.jobmanagement.v1.JobApi;
import org.apache.beam.model.jobmanagement.v1.JobServiceGrpc;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannel;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.ManagedChannelBuilder;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.Status;
import org.apache.beam.vendor.grpc.v1p69p0.io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pipeline that needs what Sluice cannot give is refused when prepared, the requirement named. */
class PrepareRefusalTest {

  @TempDir
  Path dir;

  @Test
  void anUnmetRequirementIsRefusedByNameAtPrepare() throws Exception {
    // A requirement from a newer SDK than this runner knows.
    String requirement = "beam:requirement:pardo:from_a_newer_sdk:v1";
    RunnerApi.Pipeline pipeline = RunnerApi.Pipeline.newBuilder().addRequirements(requirement).build();
    Status refused = refusal("needs-sorted-input", pipeline);
    assertEquals(Status.Code.FAILED_PRECONDITION, refused.getCode());
    assertTrue(refused.getDescription().contains(requirement), refused.toString());
  }

  @Test
  void groupingByWindowsOnlyAnSdkCanMergeIsRefusedAtPrepare() throws Exception {
    RunnerApi.Components components = RunnerApi.Components.newBuilder()
        .putCoders("bytes", RunnerApi.Coder.newBuilder()
            .setSpec(RunnerApi.FunctionSpec.newBuilder().setUrn("beam:coder:bytes:v1")).build())
        .putCoders("pickled_window", RunnerApi.Coder.newBuilder()
            .setSpec(RunnerApi.FunctionSpec.newBuilder().setUrn("beam:coder:pickled_python:v1")).build())
        .putWindowingStrategies("merging", RunnerApi.WindowingStrategy.newBuilder()
            .setWindowFn(RunnerApi.FunctionSpec.newBuilder().setUrn("beam:window_fn:pickled_python:v1"))
            .setMergeStatus(RunnerApi.MergeStatus.Enum.NEEDS_MERGE).setWindowCoderId("pickled_window").build())
        .putPcollections("in", RunnerApi.PCollection.newBuilder().setUniqueName("in").setCoderId("bytes")
            .setWindowingStrategyId("merging").build())
        .putPcollections("out", RunnerApi.PCollection.newBuilder().setUniqueName("out").setCoderId("bytes")
            .setWindowingStrategyId("merging").build())
        .putTransforms("gbk", RunnerApi.PTransform.newBuilder().setUniqueName("GroupByKey")
            .setSpec(RunnerApi.FunctionSpec.newBuilder().setUrn("beam:transform:group_by_key:v1"))
            .putInputs("in", "in").putOutputs("out", "out").build())
        .build();
    RunnerApi.Pipeline pipeline = RunnerApi.Pipeline.newBuilder().setComponents(components).addRootTransformIds("gbk")
        .build();
    Status refused = refusal("merges-sdk-windows", pipeline);
    assertEquals(Status.Code.FAILED_PRECONDITION, refused.getCode());
    assertTrue(refused.getDescription().contains("gbk (GroupByKey)")
        && refused.getDescription().contains("beam:window_fn:pickled_python:v1"), refused.toString());
  }

  /** How a job server answers a Prepare of {@code pipeline}, which must fail. */
  private Status refusal(String jobName, RunnerApi.Pipeline pipeline) throws Exception {
    try (JobServer server = JobServer.start("localhost", 0, 0, dir.resolve("artifacts"), 1)) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(server.jobEndpoint()).usePlaintext().build();
      try {
        return assertThrows(StatusRuntimeException.class,
            () -> JobServiceGrpc.newBlockingStub(channel).prepare(JobApi.PrepareJobRequest.newBuilder()
                .setJobName(jobName).setPipeline(pipeline).build())).getStatus();
      } finally {
        channel.shutdownNow();
      }
    }
  }
}

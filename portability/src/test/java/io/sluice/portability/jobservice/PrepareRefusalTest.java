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
    try (JobServer server = JobServer.start("localhost", 0, 0, dir.resolve("artifacts"), 1)) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(server.jobEndpoint()).usePlaintext().build();
      try {
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
            () -> JobServiceGrpc.newBlockingStub(channel).prepare(JobApi.PrepareJobRequest.newBuilder()
                .setJobName("needs-sorted-input").setPipeline(pipeline).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, refused.getStatus().getCode());
        assertTrue(refused.getStatus().getDescription().contains(requirement), refused.getStatus().toString());
      } finally {
        channel.shutdownNow();
      }
    }
  }
}

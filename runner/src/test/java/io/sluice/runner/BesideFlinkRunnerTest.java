package io.sluice.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ServiceLoader;
import java.util.stream.StreamSupport;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.PipelineOptionsRegistrar;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.values.KV;
import org.junit.jupiter.api.Test;

/**
 * The FlinkRunner and the DirectRunner are on this module's test classpath (test scope: never on
 * Sluice's runtime classpath), so Beam merges their options with Sluice's, as it does for a user
 * migrating with them on the classpath.
 */
class BesideFlinkRunnerTest {

  @Test
  void bothRunnersRegisterTheirOptions() {
    boolean flink = StreamSupport.stream(ServiceLoader.load(PipelineOptionsRegistrar.class).spliterator(), false)
        .anyMatch(r -> StreamSupport.stream(r.getPipelineOptions().spliterator(), false)
            .anyMatch(FlinkPipelineOptions.class::equals));
    assertTrue(flink, "the FlinkRunner's options registrar is on the test classpath");
  }

  @Test
  void sharedOptionsParseForBothRunners() {
    PipelineOptions options = PipelineOptionsFactory.fromArgs(
        "--runner=SluiceRunner", "--parallelism=3", "--maxElementsPerBundle=17", "--maxBundleSize=5",
        "--stateBackend=hashmap", "--maxParallelism=256").create();
    SluicePipelineOptions sluice = options.as(SluicePipelineOptions.class);
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    assertEquals(3, sluice.getParallelism());
    assertEquals(3, flink.getParallelism());
    assertEquals(5L, flink.getMaxBundleSize());
    assertEquals(3, OptionValues.parallelism(sluice));
    assertEquals(256, OptionValues.maxParallelism(sluice));
    assertEquals(256, flink.getMaxParallelism());
    assertEquals(17, OptionValues.maxBundleSize(sluice));
    assertEquals(io.sluice.execution.state.StateBackendKind.HEAP, io.sluice.translation.options.RecoveryOptionValues.stateBackend(sluice));
  }

  @Test
  void unsetSharedOptionsMeanTheSameForBoth() {
    SluicePipelineOptions sluice = PipelineOptionsFactory.fromArgs("--runner=SluiceRunner").as(SluicePipelineOptions.class);
    assertEquals(-1, sluice.getParallelism());
    assertEquals(-1, sluice.as(FlinkPipelineOptions.class).getParallelism());
    assertEquals(Runtime.getRuntime().availableProcessors(), OptionValues.parallelism(sluice));
    assertEquals(-1, sluice.as(FlinkPipelineOptions.class).getMaxParallelism());
    assertEquals(128, OptionValues.maxParallelism(sluice));
    assertEquals(io.sluice.execution.state.StateBackendKind.ROCKSDB, io.sluice.translation.options.RecoveryOptionValues.stateBackend(sluice));
    // Sluice sets no state backend of its own: the FlinkRunner must not find one it did not ask for.
    assertEquals(null, sluice.as(FlinkPipelineOptions.class).getStateBackend());
  }

  @Test
  void theDirectRunnersSharedOptionMeansTheSame() {
    PipelineOptions options = PipelineOptionsFactory.fromArgs("--runner=SluiceRunner", "--blockOnRun=false").create();
    assertEquals(false, options.as(SluicePipelineOptions.class).isBlockOnRun());
    assertEquals(false, options.as(org.apache.beam.runners.direct.DirectOptions.class).isBlockOnRun());
    PipelineOptions unset = PipelineOptionsFactory.fromArgs("--runner=SluiceRunner").create();
    assertEquals(true, unset.as(SluicePipelineOptions.class).isBlockOnRun());
  }

  @Test
  void aPipelineRunsOnSluiceWithTheFlinkRunnerRegistered() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=SluiceRunner", "--parallelism=2").create());
    PAssert.that(p.apply(Create.of(KV.of("a", 1L), KV.of("b", 2L), KV.of("a", 3L))).apply(Sum.longsPerKey()))
        .containsInAnyOrder(KV.of("a", 4L), KV.of("b", 2L));
    PipelineResult.State state = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> p.run().waitUntilFinish());
    assertEquals(PipelineResult.State.DONE, state);
  }

  @Test
  void badSharedValuesAreRefusedNamingTheOption() {
    PipelineOptions options = PipelineOptionsFactory.fromArgs("--runner=SluiceRunner", "--maxElementsPerBundle=0").create();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SluiceRunner.fromOptions(options));
    assertTrue(e.getMessage().contains("--maxElementsPerBundle"), e.getMessage());
  }
}

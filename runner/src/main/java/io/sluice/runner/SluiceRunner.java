package io.sluice.runner;

import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.graph.JobGraphBytes;
import io.sluice.execution.runtime.ExecutionConfig;
import io.sluice.execution.net.ClusterTls;
import io.sluice.execution.runtime.JobHandle;
import io.sluice.execution.runtime.JobSupervisor;
import io.sluice.translation.PipelineTranslator;
import io.sluice.translation.TranslationSettings;
import io.sluice.runner.cluster.ClusterSecrets;
import io.sluice.runner.cluster.ClusterSubmission;
import io.sluice.translation.metrics.JobMetrics;
import io.sluice.translation.metrics.MetricsPushing;
import io.sluice.translation.options.RecoveryOptionValues;
import org.apache.beam.runners.core.metrics.MetricsContainerStepMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Paths;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.metrics.MetricsOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsValidator;
import org.apache.beam.sdk.util.construction.resources.PipelineResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Beam pipeline on Sluice's engine, in this JVM or on a cluster ({@code --coordinator}):
 * {@code --runner=SluiceRunner}. The whole pipeline is translated (and refused, naming the step, if any part cannot run) before anything
 * starts.
 */
public final class SluiceRunner extends PipelineRunner<SluicePipelineResult> {

  private static final Logger LOG = LoggerFactory.getLogger(SluiceRunner.class);

  private final SluicePipelineOptions options;

  private SluiceRunner(SluicePipelineOptions options) {
    this.options = options;
  }

  /** Called by Beam with the user's options. */
  public static SluiceRunner fromOptions(PipelineOptions options) {
    SluicePipelineOptions sluiceOptions = PipelineOptionsValidator.validate(SluicePipelineOptions.class, options);
    OptionValues.parallelism(sluiceOptions);
    OptionValues.maxBundleSize(sluiceOptions);
    if (sluiceOptions.getOperatorMemoryMb() < 1) {
      throw new IllegalArgumentException("--operatorMemoryMb must be at least 1, got " + sluiceOptions.getOperatorMemoryMb());
    }
    if (sluiceOptions.getChannelCapacity() < 1) {
      throw new IllegalArgumentException("--channelCapacity must be at least 1, got " + sluiceOptions.getChannelCapacity());
    }
    if (sluiceOptions.getStateMemoryMb() < 1) {
      throw new IllegalArgumentException("--stateMemoryMb must be at least 1, got " + sluiceOptions.getStateMemoryMb());
    }
    RecoveryOptionValues.validate(sluiceOptions);
    ClusterSubmission.isEmbedded(sluiceOptions.getCoordinator());
    return new SluiceRunner(sluiceOptions);
  }

  @Override
  public SluicePipelineResult run(Pipeline pipeline) {
    MetricsEnvironment.setMetricsSupported(true);
    FileSystems.setDefaultPipelineOptions(options);
    PipelineTranslator.Translation translation = PipelineTranslator.translate(pipeline, options.getJobName(),
        new TranslationSettings(options, OptionValues.parallelism(options), OptionValues.maxBundleSize(options),
            options.isStreaming(), RecoveryOptionValues.checkpointing(options) != null));
    ExecutionConfig config = RecoveryOptionValues.configure(new ExecutionConfig(), options, translation.streaming())
        .channelCapacityFrames(options.getChannelCapacity())
        .maxParallelism(OptionValues.maxParallelism(options))
        .operatorMemoryBudgetBytes(options.getOperatorMemoryMb() * 1024L * 1024L)
        .spillDirectory(Paths.get(options.getSpillDirectory()))
        .stateDirectory(Paths.get(options.getStateDirectory()))
        .stateMemoryBytes(options.getStateMemoryMb() * 1024L * 1024L)
        .processingTimeMode(translation.processingTimeMode())
        .jobResource(JobMetrics.class, translation.metrics());
    LOG.debug("Translated pipeline:\n{}", translation.graph().describe());
    SluicePipelineResult result = new SluicePipelineResult(start(translation.graph(), config), translation.metrics());
    JobMetrics metrics = translation.metrics();
    MetricsPushing.start(options.as(MetricsOptions.class),
        () -> MetricsContainerStepMap.asAttemptedOnlyMetricResults(metrics.attempted()).allMetrics(),
        result::whenFinished);
    if (options.isBlockOnRun()) {
      result.waitUntilFinish();
    }
    return result;
  }

  private JobHandle start(JobGraph graph, ExecutionConfig config) {
    if (!ClusterSubmission.isEmbedded(options.getCoordinator())) {
      try {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        // As the FlinkRunner does: the class path of the loader the pipeline was built in, which
        // under a launcher (exec:java, an IDE) is not the JVM's own.
        List<String> classPath = PipelineResources.detectClassPathResourcesToStage(
            loader != null ? loader : SluiceRunner.class.getClassLoader(), options);
        ClusterTls tls = options.getClusterTlsKeyStore() == null ? null
            : ClusterTls.of(Paths.get(options.getClusterTlsKeyStore()),
                String.valueOf(options.getClusterTlsKeyStorePassword() == null ? ""
                    : options.getClusterTlsKeyStorePassword()).toCharArray());
        return ClusterSubmission.submit(options.getCoordinator(),
            ClusterSecrets.find(options.getClusterSecret(), options.getClusterSecretFile()), tls,
            options.getFilesToStage(), classPath, graph, config);
      } catch (IOException e) {
        throw new UncheckedIOException("job " + graph.name() + " could not be submitted to " + options.getCoordinator()
            + ": " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while job " + graph.name() + " was submitted", e);
      }
    }
    // What runs is what a cluster would ship: the graph written to bytes and read back. Anything an
    // operator holds that cannot travel fails here, at run(), naming its step.
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    JobGraph shipped = JobGraphBytes.copy(graph, loader != null ? loader : SluiceRunner.class.getClassLoader());
    return JobSupervisor.start(shipped, config);
  }

  @Override
  public String toString() {
    return "SluiceRunner";
  }
}

package io.sluice.execution.cluster;

import io.sluice.execution.checkpoint.CheckpointSettings;
import io.sluice.execution.cluster.proto.Checkpointing;
import io.sluice.execution.cluster.proto.JobSettings;
import io.sluice.execution.operator.ProcessingTimeMode;
import io.sluice.execution.runtime.ExecutionConfig;
import io.sluice.execution.state.StateBackendKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import io.sluice.execution.graph.LoaderObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Map;

/**
 * A job's settings on the wire: what the client decided travels; what each worker decides for
 * itself (its directories) does not. Resources and failures travel Java-serialized, read back with
 * the job's class loader.
 */
final class JobSettingsCodec {

  private JobSettingsCodec() {}

  static JobSettings.Builder of(ExecutionConfig config) {
    JobSettings.Builder settings = JobSettings.newBuilder();
    CheckpointSettings c = config.checkpointing();
    if (c != null) {
      settings.setCheckpointing(Checkpointing.newBuilder().setIntervalMillis(c.intervalMillis())
          .setTimeoutMillis(c.timeoutMillis()).setMinPauseMillis(c.minPauseMillis()).setRetained(c.retained())
          .setDirectory(c.directory().toAbsolutePath().toString()));
    }
    if (config.restoreFrom() != null) {
      settings.setRestoreFrom(config.restoreFrom().toAbsolutePath().toString());
    }
    return settings
        .setChannelCapacityFrames(config.channelCapacityFrames())
        .setMaxParallelism(config.keyGroups().count())
        .setBatchSize(config.batchSize())
        .setOperatorMemoryBytes(config.operatorMemoryBudgetBytes())
        .setStateBackend(config.stateBackend().name())
        .setStateMemoryBytes(config.stateMemoryBytes())
        .setProcessingTimeMode(config.processingTimeMode().name())
        .setRestartAttempts(config.restartAttempts())
        .setRestartDelayMillis(config.restartDelayMillis());
  }

  /** The job's checkpoint settings, or null if it takes none. */
  static CheckpointSettings checkpointing(JobSettings s) {
    if (!s.hasCheckpointing()) {
      return null;
    }
    Checkpointing c = s.getCheckpointing();
    return new CheckpointSettings(c.getIntervalMillis(), c.getTimeoutMillis(), c.getMinPauseMillis(),
        (int) c.getRetained(), java.nio.file.Path.of(c.getDirectory()));
  }

  /** Applies the job's settings onto a worker's base config (its directories). */
  static ExecutionConfig apply(JobSettings s, ExecutionConfig config, Map<Class<?>, Object> resources) {
    config.channelCapacityFrames((int) s.getChannelCapacityFrames())
        .maxParallelism((int) s.getMaxParallelism())
        .batchSize((int) s.getBatchSize())
        .operatorMemoryBudgetBytes(s.getOperatorMemoryBytes())
        .stateBackend(StateBackendKind.valueOf(s.getStateBackend()))
        .stateMemoryBytes(s.getStateMemoryBytes())
        .processingTimeMode(ProcessingTimeMode.valueOf(s.getProcessingTimeMode()))
        .checkpointing(checkpointing(s));
    resources.forEach((type, resource) -> put(config, type, resource));
    return config;
  }

  @SuppressWarnings("unchecked")
  private static <T> void put(ExecutionConfig config, Class<T> type, Object resource) {
    config.jobResource(type, (T) resource);
  }

  static byte[] serialize(Object value) throws NotSerializableException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    } catch (NotSerializableException e) {
      throw e;
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getName() + ": " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }

  static Object deserialize(byte[] bytes, ClassLoader loader) throws IOException, ClassNotFoundException {
    try (ObjectInputStream in = new LoaderObjectInputStream(new ByteArrayInputStream(bytes), loader)) {
      return in.readObject();
    }
  }

  /** A failure's text: its chain of messages and the stack of each. */
  static String describe(Throwable failure) {
    java.io.StringWriter text = new java.io.StringWriter();
    failure.printStackTrace(new java.io.PrintWriter(text));
    return text.toString();
  }
}

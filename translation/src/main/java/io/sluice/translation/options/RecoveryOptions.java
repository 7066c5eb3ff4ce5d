package io.sluice.translation.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.DefaultValueFactory;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * How a job keeps its state and recovers after a failure: options of every Sluice job, whichever
 * way it came (the Java runner, or a pipeline proto through the Job API). As every Sluice option,
 * one that shares its name with the FlinkRunner's keeps that runner's type and default; values are
 * read through {@link RecoveryOptionValues}.
 */
public interface RecoveryOptions extends PipelineOptions {

  @Description("Where keyed state and timers of streaming jobs live: 'rocksdb' (the default: state may outgrow the"
      + " heap) or 'heap' (fastest when state is small; the FlinkRunner's names 'hashmap' and 'filesystem' mean it too)."
      + " Batch jobs keep each key's state on the heap while it is processed.")
  String getStateBackend();

  void setStateBackend(String backend);

  @Description("The interval in milliseconds at which to take checkpoints of a running job: its state, timers and"
      + " source positions, from which it restarts after a failure, exactly once. -1 (the default, as in the"
      + " FlinkRunner): no checkpoints; a failed job then fails.")
  @Default.Long(-1L)
  Long getCheckpointingInterval();

  void setCheckpointingInterval(Long millis);

  @Description("The longest a checkpoint may take in milliseconds before it is declined (the job goes on)."
      + " -1 (the default): 10 minutes.")
  @Default.Long(-1L)
  Long getCheckpointTimeoutMillis();

  void setCheckpointTimeoutMillis(Long millis);

  @Description("The shortest pause in milliseconds between the end of one checkpoint and the start of the next."
      + " -1 (the default): none.")
  @Default.Long(-1L)
  Long getMinPauseBetweenCheckpoints();

  void setMinPauseBetweenCheckpoints(Long millis);

  @Description("How often a failed job is restarted from its latest checkpoint before it ends failed. -1 (the"
      + " default): 3 times with checkpointing, never without.")
  @Default.Integer(-1)
  Integer getNumberOfExecutionRetries();

  void setNumberOfExecutionRetries(Integer retries);

  @Description("The delay in milliseconds before a failed job is restarted; each further consecutive restart waits"
      + " twice as long, up to a minute. -1 (the default): 1000.")
  @Default.Long(-1L)
  Long getExecutionRetryDelay();

  void setExecutionRetryDelay(Long millis);

  @Description("Directory under which checkpoints are written, each job in a subdirectory named after its job"
      + " name. Defaults to sluice-checkpoints under java.io.tmpdir.")
  @Default.InstanceFactory(CheckpointDirectory.class)
  String getCheckpointDir();

  void setCheckpointDir(String directory);

  @Description("How many complete checkpoints a job keeps (older ones are deleted); savepoints are always kept.")
  @Default.Integer(3)
  int getRetainedCheckpoints();

  void setRetainedCheckpoints(int checkpoints);

  @Description("Start from a checkpoint: a checkpoint directory (chk-<id>), or a job's checkpoint directory to take"
      + " its latest complete checkpoint. A checkpoint that fails its checksums is passed over for the one before."
      + " Works at another --parallelism; not at another --maxParallelism.")
  String getRestoreFrom();

  void setRestoreFrom(String path);

  /** sluice-checkpoints under java.io.tmpdir. */
  class CheckpointDirectory implements DefaultValueFactory<String> {
    @Override
    public String create(PipelineOptions options) {
      return java.nio.file.Paths.get(System.getProperty("java.io.tmpdir"), "sluice-checkpoints").toString();
    }
  }
}

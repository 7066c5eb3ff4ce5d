package io.sluice.portability.client;

import io.sluice.translation.options.RecoveryOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PortablePipelineOptions;

/**
 * Options of {@link SluicePortableRunner}, beside Beam's portable ones (job endpoint, environment),
 * and the job's state and recovery ones, which travel with the pipeline to the job server.
 */
public interface SluicePortableOptions extends PortablePipelineOptions, RecoveryOptions {

  /** The job endpoint that makes the runner start a job server in this JVM (once) and submit there. */
  String IN_PROCESS = "[in-process]";

  @Description("How many subtasks each operator of a job runs in the job server this runner starts in"
      + " its own JVM (with --jobEndpoint=" + IN_PROCESS + ", the default).")
  @Default.Integer(2)
  int getJobServerParallelism();

  void setJobServerParallelism(int parallelism);

  @Description("Whether run() waits for the job to finish (and throws if it failed), as Beam's test pipelines expect.")
  @Default.Boolean(true)
  boolean isBlockOnRun();

  void setBlockOnRun(boolean blockOnRun);
}

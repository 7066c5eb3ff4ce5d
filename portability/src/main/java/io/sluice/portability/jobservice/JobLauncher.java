package io.sluice.portability.jobservice;

import io.sluice.execution.graph.JobGraph;
import io.sluice.execution.runtime.ExecutionConfig;
import io.sluice.execution.runtime.JobHandle;
import io.sluice.execution.runtime.JobSupervisor;

/** Where the job server's jobs run, once translated: the embedded engine, or a cluster's coordinator. */
@FunctionalInterface
public interface JobLauncher {

  /** In the job server's JVM. */
  JobLauncher EMBEDDED = JobSupervisor::start;

  JobHandle launch(JobGraph graph, ExecutionConfig config) throws Exception;
}

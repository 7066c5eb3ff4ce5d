package io.sluice.runner;

import java.util.List;
import org.apache.beam.sdk.PipelineRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsRegistrar;
import org.apache.beam.sdk.runners.PipelineRunnerRegistrar;

/** Lets Beam find {@code --runner=SluiceRunner} and Sluice's options on the classpath. */
public final class SluiceRunnerRegistrar {

  private SluiceRunnerRegistrar() {}

  /** Registers {@link SluiceRunner}. */
  public static final class Runner implements PipelineRunnerRegistrar {
    @Override
    public Iterable<Class<? extends PipelineRunner<?>>> getPipelineRunners() {
      return List.of(SluiceRunner.class);
    }
  }

  /** Registers {@link SluicePipelineOptions}. */
  public static final class Options implements PipelineOptionsRegistrar {
    @Override
    public Iterable<Class<? extends PipelineOptions>> getPipelineOptions() {
      return List.of(SluicePipelineOptions.class);
    }
  }
}

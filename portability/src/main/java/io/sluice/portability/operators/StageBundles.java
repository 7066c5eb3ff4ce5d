package io.sluice.portability.operators;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.runners.fnexecution.control.BundleCheckpointHandler;
import org.apache.beam.runners.fnexecution.control.BundleFinalizationHandler;
import org.apache.beam.runners.fnexecution.control.BundleProgressHandler;
import org.apache.beam.runners.fnexecution.control.BundleSplitHandler;
import org.apache.beam.runners.fnexecution.control.InstructionRequestHandler;
import org.apache.beam.runners.fnexecution.control.OutputReceiverFactory;
import org.apache.beam.runners.fnexecution.control.ProcessBundleDescriptors;
import org.apache.beam.runners.fnexecution.control.ProcessBundleDescriptors.ExecutableProcessBundleDescriptor;
import org.apache.beam.runners.fnexecution.control.RemoteBundle;
import org.apache.beam.runners.fnexecution.control.RemoteOutputReceiver;
import org.apache.beam.runners.fnexecution.control.SdkHarnessClient;
import org.apache.beam.runners.fnexecution.control.StageBundleFactory;
import org.apache.beam.runners.fnexecution.control.TimerReceiverFactory;
import org.apache.beam.runners.fnexecution.state.StateRequestHandler;
import org.apache.beam.sdk.fn.IdGenerator;
import org.apache.beam.sdk.util.construction.Timer;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.values.KV;

/**
 * One stage's bundles, described to its SDK harness by Sluice: Beam's job bundle factory starts,
 * shares and stops the harnesses, but reads the harness's data with coders of its own, which
 * cannot hold a window whose coder is the SDK's; this stage's descriptor reads it with
 * {@link RunnerWireCoders}, over data and state endpoints of the runner's
 * ({@link HarnessEndpoints}). Beam's stage factory is kept for its harness and its lifetime only.
 */
final class StageBundles implements StageBundleFactory {

  /** Descriptor ids, unique in this process (a harness holds the descriptors of every stage it runs). */
  private static final AtomicLong DESCRIPTORS = new AtomicLong();
  /**
   * Instruction ids of Sluice's requests: the harness's control channel also carries Beam's
   * requests, numbered from 1, and answers are matched by id.
   */
  private static final AtomicLong INSTRUCTIONS = new AtomicLong();
  private static final IdGenerator INSTRUCTION_IDS = () -> "sluice-" + INSTRUCTIONS.incrementAndGet();

  /** Beam's factory for the stage: holds the harness while the stage is open; its descriptor goes unused. */
  private final StageBundleFactory harness;
  private final ExecutableProcessBundleDescriptor descriptor;
  private final SdkHarnessClient.BundleProcessor processor;

  StageBundles(StageBundleFactory harness, ExecutableStage stage, HarnessEndpoints endpoints) throws IOException {
    this.harness = harness;
    HarnessEndpoints.Pair served = endpoints.of(harness.getInstructionRequestHandler(), stage.getEnvironment());
    descriptor = RunnerWireCoders.readingWindows(ProcessBundleDescriptors.fromExecutableStage(
        "sluice-stage-" + DESCRIPTORS.incrementAndGet(), stage, served.data().getApiServiceDescriptor(),
        served.state().getApiServiceDescriptor()), stage.getComponents());
    processor = SdkHarnessClient.usingFnApiClient(harness.getInstructionRequestHandler(), served.data().getService())
        .withIdGenerator(INSTRUCTION_IDS)
        .getProcessor(descriptor.getProcessBundleDescriptor(), descriptor.getRemoteInputDestinations(),
            served.state().getService(), descriptor.getTimerSpecs());
  }

  @Override
  public RemoteBundle getBundle(OutputReceiverFactory outputs, TimerReceiverFactory timers,
      StateRequestHandler state, BundleProgressHandler progress, BundleFinalizationHandler finalization,
      BundleCheckpointHandler checkpoints) {
    return getBundle(outputs, timers, state, progress, BundleSplitHandler.unsupported(), finalization, checkpoints);
  }

  /** A bundle that the runner may ask to split: the harness's answers go to {@code splits}. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  RemoteBundle getBundle(OutputReceiverFactory outputs, TimerReceiverFactory timers, StateRequestHandler state,
      BundleProgressHandler progress, BundleSplitHandler splits, BundleFinalizationHandler finalization,
      BundleCheckpointHandler checkpoints) {
    Map<String, RemoteOutputReceiver<?>> outputReceivers = new HashMap<>();
    descriptor.getRemoteOutputCoders().forEach((transform, coder) -> outputReceivers.put(transform,
        RemoteOutputReceiver.of(coder, outputs.create(descriptor.getProcessBundleDescriptor()
            .getTransformsOrThrow(transform).getInputsMap().values().iterator().next()))));
    Map<KV<String, String>, RemoteOutputReceiver<Timer<?>>> timerReceivers = new HashMap<>();
    for (Map<String, ProcessBundleDescriptors.TimerSpec> byTimer : descriptor.getTimerSpecs().values()) {
      for (ProcessBundleDescriptors.TimerSpec spec : byTimer.values()) {
        timerReceivers.put(KV.of(spec.transformId(), spec.timerId()),
            RemoteOutputReceiver.of(spec.coder(), timers.create(spec.transformId(), spec.timerId())));
      }
    }
    return processor.newBundle(outputReceivers, timerReceivers, state, progress, splits, checkpoints, finalization);
  }

  @Override
  public ExecutableProcessBundleDescriptor getProcessBundleDescriptor() {
    return descriptor;
  }

  @Override
  public InstructionRequestHandler getInstructionRequestHandler() {
    return harness.getInstructionRequestHandler();
  }

  @Override
  public void close() throws Exception {
    harness.close();
  }
}

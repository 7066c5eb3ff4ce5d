package io.sluice.portability.operators;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.translation.operators.Emitter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.model.fnexecution.v1.BeamFnApi.StateKey;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.control.BundleProgressHandler;
import org.apache.beam.runners.fnexecution.control.ExecutableStageContext;
import org.apache.beam.runners.fnexecution.control.OutputReceiverFactory;
import org.apache.beam.runners.fnexecution.control.ProcessBundleDescriptors;
import org.apache.beam.runners.fnexecution.control.RemoteBundle;
import org.apache.beam.runners.fnexecution.control.StageBundleFactory;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.runners.fnexecution.state.StateRequestHandler;
import org.apache.beam.runners.fnexecution.state.StateRequestHandlers;
import org.apache.beam.runners.fnexecution.translation.BatchSideInputHandlerFactory;
import org.apache.beam.sdk.fn.data.FnDataReceiver;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;

/**
 * Runs a fused stage of user code in its SDK harness, over the Fn API: elements of the main input
 * go into a bundle as they come; a bundle ends when the subtask has nothing else to do, and at the
 * end of input. Side inputs arrive whole first (the main input waits meanwhile) and the harness
 * reads them through state requests. What the harness outputs arrives on gRPC threads and is
 * queued; the subtask's thread sends it on after each element and at the end of each bundle.
 *
 * <p>Batch only, without user state or timers, so far.
 */
public final class ExecutableStageOperator implements Operator {

  /** Fixed: the stage, its job, its output collections by port and side-input collections by port - 1. */
  private final byte[] payload;
  private final JobInfo job;
  private final List<String> outputs;
  private final List<String> sideInputs;

  /** An output of the harness and its port. */
  private record Output(int port, Object value) {}

  // Derived, for the operator's life on the subtask's thread unless said otherwise.
  private Emitter emitter;
  private ExecutableStageContext stageContext;
  private StageBundleFactory bundles;
  private OutputReceiverFactory receivers;
  /** Filled by gRPC threads, drained by the subtask's thread. */
  private final ConcurrentLinkedQueue<Output> arrived = new ConcurrentLinkedQueue<>();
  private final Map<String, List<Object>> sideValues = new HashMap<>();
  private int sideInputsPending;
  /** Main input that came before the side inputs were whole. */
  private final List<Object> waiting = new ArrayList<>();
  private StateRequestHandler state;
  /** What each completed bundle's harness reports; the job's, shared. */
  private BundleProgressHandler progress;
  /** The open bundle and its main input, or null between bundles. */
  private RemoteBundle bundle;
  private FnDataReceiver<Object> input;

  public ExecutableStageOperator(byte[] payload, JobInfo job, List<String> outputs, List<String> sideInputs) {
    this.payload = payload;
    this.job = job;
    this.outputs = List.copyOf(outputs);
    this.sideInputs = List.copyOf(sideInputs);
  }

  @Override
  public void open(OperatorContext context) throws Exception {
    emitter = new Emitter(context.output());
    StageMetrics metrics = context.jobResource(StageMetrics.class);
    progress = new BundleProgressHandler() {
      @Override
      public void onProgress(org.apache.beam.model.fnexecution.v1.BeamFnApi.ProcessBundleProgressResponse p) {}

      @Override
      public void onCompleted(org.apache.beam.model.fnexecution.v1.BeamFnApi.ProcessBundleResponse response) {
        metrics.bundleCompleted(response.getMonitoringInfosList());
      }
    };
    ExecutableStage stage = ExecutableStage.fromPayload(RunnerApi.ExecutableStagePayload.parseFrom(payload));
    stageContext = StageContexts.acquire(job);
    bundles = stageContext.getStageBundleFactory(stage);
    Map<String, Integer> ports = new HashMap<>();
    for (int p = 0; p < outputs.size(); p++) {
      ports.put(outputs.get(p), p);
    }
    receivers = new OutputReceiverFactory() {
      @Override
      public <T> FnDataReceiver<T> create(String collection) {
        Integer port = ports.get(collection);
        if (port == null) {
          throw new IllegalStateException("the harness outputs " + collection + ", not an output of the stage");
        }
        return value -> arrived.add(new Output(port, value));
      }
    };
    for (String side : sideInputs) {
      sideValues.put(side, new ArrayList<>());
    }
    sideInputsPending = sideInputs.size();
    state = sideInputs.isEmpty() ? StateRequestHandler.unsupported() : sideInputHandler(stage);
  }

  private StateRequestHandler sideInputHandler(ExecutableStage stage) throws Exception {
    StateRequestHandler sides = StateRequestHandlers.forSideInputHandlerFactory(
        ProcessBundleDescriptors.getSideInputs(stage),
        BatchSideInputHandlerFactory.forStage(stage, new BatchSideInputHandlerFactory.SideInputGetter() {
          @Override
          @SuppressWarnings("unchecked")
          public <T> List<T> getSideInput(String collection) {
            return (List<T>) sideValues.get(collection);
          }
        }));
    EnumMap<StateKey.TypeCase, StateRequestHandler> byType = new EnumMap<>(StateKey.TypeCase.class);
    byType.put(StateKey.TypeCase.ITERABLE_SIDE_INPUT, sides);
    byType.put(StateKey.TypeCase.MULTIMAP_SIDE_INPUT, sides);
    byType.put(StateKey.TypeCase.MULTIMAP_KEYS_SIDE_INPUT, sides);
    return StateRequestHandlers.delegateBasedUponType(byType);
  }

  @Override
  public void process(int inputPort, Object record) throws Exception {
    if (inputPort > 0) {
      sideValues.get(sideInputs.get(inputPort - 1)).add(record);
    } else if (sideInputsPending > 0) {
      waiting.add(record);
    } else {
      feed(record);
    }
  }

  @Override
  public void inputDone(int inputPort) throws Exception {
    if (inputPort > 0 && --sideInputsPending == 0) {
      for (Object record : waiting) {
        feed(record);
      }
      waiting.clear();
    }
  }

  private void feed(Object record) throws Exception {
    if (bundle == null) {
      bundle = bundles.getBundle(receivers, state, progress);
      @SuppressWarnings("unchecked")
      FnDataReceiver<Object> only = (FnDataReceiver<Object>) bundle.getInputReceivers().values().iterator().next();
      input = only;
    }
    input.accept(record);
    sendArrived();
  }

  /** Ends the open bundle: the harness has then output all it will for it. */
  private void finishBundle() throws Exception {
    if (bundle != null) {
      RemoteBundle ending = bundle;
      bundle = null;
      input = null;
      ending.close();
    }
    sendArrived();
  }

  private void sendArrived() {
    for (Output o = arrived.poll(); o != null; o = arrived.poll()) {
      emitter.emit(o.port(), o.value());
    }
  }

  @Override
  public void idle() throws Exception {
    finishBundle();
  }

  @Override
  public void complete() throws Exception {
    finishBundle();
  }

  @Override
  public void close() throws Exception {
    try {
      if (bundle != null) {
        bundle.close();
      }
    } catch (Exception e) {
      // The job is ending on another failure or a cancel: this one adds nothing.
    } finally {
      bundle = null;
      if (bundles != null) {
        bundles.close();
      }
      if (stageContext != null) {
        StageContexts.release(job);
      }
    }
  }
}

package io.sluice.translation.operators.timely;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.beam.runners.core.KeyedWorkItems;
import org.apache.beam.runners.core.OutputAndTimeBoundedSplittableProcessElementInvoker;
import org.apache.beam.runners.core.SplittableParDoViaKeyedWorkItems.ProcessFn;
import org.apache.beam.runners.core.TimerInternals.TimerData;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.util.WindowedValueMultiReceiver;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.joda.time.Duration;

/**
 * What makes a {@link TimelyParDoOperator} run a splittable DoFn, in batch as in streaming:
 * runners-core's ProcessFn, fed keyed work items. An (element, restriction) pair is processed for a
 * bounded number of outputs and time, then split: the residual restriction goes to keyed state and
 * a processing-time timer (the resume timer) brings it back, arriving as a work item too. All of it
 * is in the state backend, so a job checkpoint holds every residual. Watermark estimators hold the
 * output watermark through the ProcessFn's watermark hold.
 */
final class SplittableProcessing {

  /** Outputs or seconds after which a call is split, so one restriction cannot hog a subtask. */
  private static final int MAX_OUTPUTS_PER_CALL = 10_000;
  private static final Duration MAX_CALL_DURATION = Duration.standardSeconds(1);

  private final TupleTag<Object> mainOutputTag;
  /** Tells a running call when its time is up: derived, one thread per operator instance. */
  private ScheduledExecutorService callDeadlines;

  SplittableProcessing(TupleTag<?> mainOutputTag) {
    @SuppressWarnings("unchecked")
    TupleTag<Object> tag = (TupleTag<Object>) mainOutputTag;
    this.mainOutputTag = tag;
  }

  /** Gives the ProcessFn its state, timers, side inputs and an invoker that splits long calls. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  void prepare(DoFn<Object, Object> processFn, TimelyKeyState keyState, TimelySideInputs sideInputs,
      WindowedValueMultiReceiver outputs, PipelineOptions options) {
    ProcessFn fn = (ProcessFn) processFn;
    fn.setStateInternalsFactory(key -> keyState.stateInternals());
    fn.setTimerInternalsFactory(key -> keyState.timerInternals());
    fn.setSideInputReader(sideInputs);
    callDeadlines = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-sdf-call-deadline");
      t.setDaemon(true);
      return t;
    });
    fn.setProcessElementInvoker(new OutputAndTimeBoundedSplittableProcessElementInvoker<>(
        fn.getFn(), options, outputs, mainOutputTag, sideInputs, callDeadlines, MAX_OUTPUTS_PER_CALL,
        MAX_CALL_DURATION, keyState::bundleFinalizer));
  }

  /** Whether every side input is ready in the window of {@code element} (which has one window). */
  boolean sideInputsReady(List<PCollectionView<?>> views, TimelySideInputs sideInputs, WindowedValue<?> element) {
    BoundedWindow window = element.getWindows().iterator().next();
    for (PCollectionView<?> view : views) {
      if (!sideInputs.isReady(view, view.getWindowMappingFn().getSideInputWindow(window))) {
        return false;
      }
    }
    return true;
  }

  /** An (element, restriction) pair of {@code key}, in one window, as the ProcessFn's seed work item. */
  @SuppressWarnings("unchecked")
  WindowedValue<Object> workItem(byte[] key, WindowedValue<Object> element) {
    KV<byte[], Object> kv = (KV<byte[], Object>) element.getValue();
    return WindowedValues.valueInGlobalWindow(
        KeyedWorkItems.elementsWorkItem(kv.getKey(), List.of(element.withValue(kv.getValue()))));
  }

  /** A resume timer as the work item the ProcessFn expects. */
  WindowedValue<Object> timerItem(byte[] key, TimerData timer) {
    return WindowedValues.of(KeyedWorkItems.timersWorkItem(key, List.of(timer)),
        timer.getOutputTimestamp(), GlobalWindow.INSTANCE, PaneInfo.NO_FIRING);
  }

  void close() {
    if (callDeadlines != null) {
      callDeadlines.shutdownNow();
    }
  }
}

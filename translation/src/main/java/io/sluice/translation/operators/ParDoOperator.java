package io.sluice.translation.operators;

import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.translation.metrics.JobMetrics;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.runners.core.DoFnRunner;
import org.apache.beam.runners.core.InMemoryBundleFinalizer;
import org.apache.beam.runners.core.StepContext;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * Beam's ParDo without state or timers. Input port 0 is the main input, ports 1.. the side inputs;
 * main input that arrives before every side input is complete waits in a buffer (batch side inputs
 * are whole PCollections). Bundles hold at most the spec's maximum bundle size.
 */
public final class ParDoOperator implements Operator {

  private final DoFnSpec spec;
  private final JobMetrics metrics;
  private DoFnInstance instance;
  private SideInputs sideInputs;
  private int pendingSideInputs;
  private List<WindowedValue<Object>> waitingForSideInputs = new ArrayList<>();

  public ParDoOperator(DoFnSpec spec, JobMetrics metrics) {
    this.spec = spec;
    this.metrics = metrics;
  }

  @Override
  public void open(OperatorContext context) throws Exception {
    DoFn<Object, Object> fn = spec.newFn();
    sideInputs = new SideInputs(spec.sideInputs());
    pendingSideInputs = spec.sideInputs().size();
    InMemoryBundleFinalizer finalizer = new InMemoryBundleFinalizer();
    StepContext stepContext = new StatelessStepContext(finalizer);
    DoFnRunner<Object, Object> runner = spec.newRunner(fn, sideInputs, new Emitter(context.output()), stepContext);
    instance = new DoFnInstance(fn, runner, metrics.containerFor(spec.stepName()), finalizer, spec.maxBundleSize());
    instance.setUp(spec.options());
  }

  @Override
  @SuppressWarnings("unchecked")
  public void process(int inputPort, Object record) throws Exception {
    if (inputPort > 0) {
      sideInputs.add(inputPort - 1, (WindowedValue<?>) record);
    } else if (pendingSideInputs > 0) {
      waitingForSideInputs.add((WindowedValue<Object>) record);
    } else {
      processMain((WindowedValue<Object>) record);
    }
  }

  @Override
  public void inputDone(int inputPort) throws Exception {
    if (inputPort > 0 && --pendingSideInputs == 0) {
      List<WindowedValue<Object>> waiting = waitingForSideInputs;
      waitingForSideInputs = null;
      for (WindowedValue<Object> element : waiting) {
        processMain(element);
      }
    }
  }

  private void processMain(WindowedValue<Object> element) throws Exception {
    instance.process(element);
  }

  @Override
  public void complete() throws Exception {
    instance.finish();
  }

  @Override
  public void close() throws Exception {
    if (instance != null) {
      instance.tearDown();
    }
  }
}

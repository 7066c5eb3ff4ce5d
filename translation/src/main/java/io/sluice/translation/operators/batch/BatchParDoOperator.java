package io.sluice.translation.operators.batch;

import io.sluice.execution.channel.RecordPage;
import io.sluice.execution.operator.Operator;
import io.sluice.execution.operator.OperatorContext;
import io.sluice.translation.metrics.JobMetrics;
import io.sluice.translation.operators.Emitter;
import io.sluice.translation.operators.dofn.DoFnInstance;
import io.sluice.translation.operators.dofn.DoFnSpec;
import io.sluice.translation.operators.dofn.StatelessStepContext;
import io.sluice.translation.records.WindowedValueSerializer;
import org.apache.beam.runners.core.DoFnRunner;
import org.apache.beam.runners.core.InMemoryBundleFinalizer;
import org.apache.beam.runners.core.StepContext;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.WindowedValue;

/**
 * Beam's ParDo without state or timers. Input port 0 is the main input, ports 1.. the side inputs;
 * main input that arrives before every side input is complete waits, encoded by its coder, in a
 * buffer (batch side inputs are whole PCollections; an element may be a grouped value that is
 * readable only while it is handed over). Bundles hold at most the spec's maximum bundle size.
 */
public final class BatchParDoOperator implements Operator {

  private final DoFnSpec spec;
  /** The user's DoFn and its bundles: derived, set up at open, torn down at close. */
  private DoFnInstance instance;
  /** Each side input whole: derived, batch input, lost with the subtask (a batch job reruns); open to close. */
  private BatchSideInputs sideInputs;
  /** Side inputs not yet complete: derived, counts down until they all are. */
  private int pendingSideInputs;
  /**
   * Main input that came before the side inputs were complete: derived, batch input, lost with the
   * subtask (a batch job reruns); lives until they are.
   */
  private RecordPage waitingForSideInputs = new RecordPage(1024);
  /** How waiting main input is encoded: derived from the spec at open, for the operator's life. */
  private WindowedValueSerializer mainInput;

  public BatchParDoOperator(DoFnSpec spec) {
    this.spec = spec;
  }

  @Override
  public void open(OperatorContext context) throws Exception {
    DoFn<Object, Object> fn = spec.newFn();
    sideInputs = new BatchSideInputs(spec.sideInputs());
    pendingSideInputs = spec.sideInputs().size();
    mainInput = WindowedValueSerializer.of(spec.inputCoder(), spec.windowingStrategy());
    InMemoryBundleFinalizer finalizer = new InMemoryBundleFinalizer();
    StepContext stepContext = new StatelessStepContext(finalizer);
    DoFnRunner<Object, Object> runner = spec.newRunner(fn, sideInputs, new Emitter(context.output()), stepContext);
    instance = new DoFnInstance(fn, runner, JobMetrics.forOperator(spec.stepName(), context).container(), finalizer, spec.maxBundleSize());
    instance.setUp(spec.options());
  }

  @Override
  @SuppressWarnings("unchecked")
  public void process(int inputPort, Object record) throws Exception {
    if (inputPort > 0) {
      sideInputs.add(inputPort - 1, (WindowedValue<?>) record);
    } else if (pendingSideInputs > 0) {
      waitingForSideInputs.append(record, mainInput);
    } else {
      processMain((WindowedValue<Object>) record);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public void inputDone(int inputPort) throws Exception {
    if (inputPort > 0 && --pendingSideInputs == 0) {
      RecordPage waiting = waitingForSideInputs;
      waitingForSideInputs = null;
      RecordPage.Reader elements = new RecordPage.Reader(waiting.bytes(), waiting.size());
      while (elements.hasNext()) {
        processMain((WindowedValue<Object>) elements.next(mainInput));
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

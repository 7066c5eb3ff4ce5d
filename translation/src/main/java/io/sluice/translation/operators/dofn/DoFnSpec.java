package io.sluice.translation.operators.dofn;

import io.sluice.translation.operators.Emitter;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.DoFnRunner;
import org.apache.beam.runners.core.DoFnRunners;
import org.apache.beam.runners.core.SideInputReader;
import org.apache.beam.runners.core.StepContext;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.DoFnSchemaInformation;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.util.WindowedValueMultiReceiver;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * Everything a ParDo operator needs to run one Beam ParDo, fixed at translation and shipped with the
 * job graph. The DoFn is kept serialized: each subtask gets its own deserialized instance, as Beam's
 * model requires.
 */
public final class DoFnSpec implements Serializable {

  private final String stepName;
  private final byte[] serializedFn;
  private final TupleTag<?> mainOutputTag;
  private final List<TupleTag<?>> outputTags;
  /** Derived from {@link #outputTags} at construction and read-only after, for the spec's life. */
  private final Map<TupleTag<?>, Integer> portsByTag = new java.util.HashMap<>();
  private final Coder<?> inputCoder;
  private final Map<TupleTag<?>, Coder<?>> outputCoders;
  private final WindowingStrategy<?, ?> windowingStrategy;
  private final DoFnSchemaInformation schemaInformation;
  private final List<PCollectionView<?>> sideInputs;
  private final Map<String, PCollectionView<?>> sideInputMapping;
  /** The options the job was submitted with; each process reads its own copy back. */
  private final SerializablePipelineOptions options;
  private final int maxBundleSize;

  /**
   * @param outputTags every output tag, main first; an output's port is its index here
   * @param sideInputs the side inputs; side input i arrives on input port i + 1
   */
  public DoFnSpec(
      String stepName,
      DoFn<?, ?> fn,
      TupleTag<?> mainOutputTag,
      List<TupleTag<?>> outputTags,
      Coder<?> inputCoder,
      Map<TupleTag<?>, Coder<?>> outputCoders,
      WindowingStrategy<?, ?> windowingStrategy,
      DoFnSchemaInformation schemaInformation,
      List<PCollectionView<?>> sideInputs,
      Map<String, PCollectionView<?>> sideInputMapping,
      SerializablePipelineOptions options,
      int maxBundleSize) {
    this.stepName = stepName;
    this.serializedFn = SerializableUtils.serializeToByteArray(fn);
    this.mainOutputTag = mainOutputTag;
    this.outputTags = outputTags;
    for (int port = 0; port < outputTags.size(); port++) {
      portsByTag.put(outputTags.get(port), port);
    }
    this.inputCoder = inputCoder;
    this.outputCoders = outputCoders;
    this.windowingStrategy = windowingStrategy;
    this.schemaInformation = schemaInformation;
    this.sideInputs = sideInputs;
    this.sideInputMapping = sideInputMapping;
    this.options = options;
    this.maxBundleSize = maxBundleSize;
  }

  public String stepName() {
    return stepName;
  }

  public TupleTag<?> mainOutputTag() {
    return mainOutputTag;
  }

  public List<PCollectionView<?>> sideInputs() {
    return sideInputs;
  }

  public WindowingStrategy<?, ?> windowingStrategy() {
    return windowingStrategy;
  }

  public Coder<?> inputCoder() {
    return inputCoder;
  }

  public PipelineOptions options() {
    return options.get();
  }

  public int maxBundleSize() {
    return maxBundleSize;
  }

  /** A fresh instance of the user's DoFn for one subtask. */
  public DoFn<Object, Object> newFn() {
    @SuppressWarnings("unchecked")
    DoFn<Object, Object> fn = (DoFn<Object, Object>) SerializableUtils.deserializeFromByteArray(serializedFn, stepName);
    return fn;
  }

  /** The output port of {@code tag}. */
  public int portOf(TupleTag<?> tag) {
    Integer port = portsByTag.get(tag);
    if (port == null) {
      throw new IllegalArgumentException("step " + stepName + " has no output " + tag);
    }
    return port;
  }

  /** Routes each tagged output of the DoFn to its port. */
  public WindowedValueMultiReceiver receiver(Emitter out) {
    return new WindowedValueMultiReceiver() {
      @Override
      public <OutputT> void output(TupleTag<OutputT> tag, org.apache.beam.sdk.values.WindowedValue<OutputT> value) {
        // The main output is by far the most used: no lookup for it.
        out.emit(tag == mainOutputTag ? 0 : portOf(tag), value);
      }
    };
  }

  @SuppressWarnings("unchecked")
  public DoFnRunner<Object, Object> newRunner(DoFn<Object, Object> fn, SideInputReader sideInputs, Emitter out, StepContext stepContext) {
    return DoFnRunners.simpleRunner(
        options.get(),
        fn,
        sideInputs,
        receiver(out),
        (TupleTag<Object>) mainOutputTag,
        outputTags.subList(1, outputTags.size()),
        stepContext,
        (Coder<Object>) inputCoder,
        outputCoders,
        windowingStrategy,
        schemaInformation,
        sideInputMapping);
  }
}

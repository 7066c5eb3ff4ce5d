package io.sluice.translation.translators;

import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.operator.OperatorFactory;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.dofn.DoFnSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.DoFnSchemaInformation;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * How a step that runs a DoFn (a ParDo, or a splittable DoFn's ProcessFn) is wired, kept in one
 * place because the operators count on it: output i is the i-th output tag, main first, and side
 * input i arrives broadcast on input port i + 1, in the order the spec lists them.
 */
final class ParDoWiring {

  private final AppliedPTransform<?, ?, ?> transform;
  private final List<TupleTag<?>> outputTags = new ArrayList<>();
  private final List<PCollectionView<?>> sideInputs;

  ParDoWiring(AppliedPTransform<?, ?, ?> transform, TupleTag<?> mainOutputTag, TupleTagList additionalOutputTags,
      Collection<PCollectionView<?>> sideInputs) {
    this.transform = transform;
    this.outputTags.add(mainOutputTag);
    this.outputTags.addAll(additionalOutputTags.getAll());
    this.sideInputs = new ArrayList<>(sideInputs);
  }

  /** The spec of {@code fn}, run over elements of {@code inputCoder} in {@code windowing}. */
  DoFnSpec spec(DoFn<?, ?> fn, Coder<?> inputCoder, WindowingStrategy<?, ?> windowing,
      DoFnSchemaInformation schemaInformation, Map<String, PCollectionView<?>> sideInputMapping,
      TranslationContext context) {
    Map<TupleTag<?>, Coder<?>> outputCoders = new LinkedHashMap<>();
    transform.getOutputs().forEach((tag, pc) -> outputCoders.put(tag, pc.getCoder()));
    return new DoFnSpec(
        transform.getFullName(),
        fn,
        outputTags.get(0),
        outputTags,
        inputCoder,
        outputCoders,
        windowing,
        schemaInformation,
        sideInputs,
        sideInputMapping,
        context.shippedOptions(),
        context.settings().maxBundleSize());
  }

  /** Adds the step's operator with {@code mainInput} on port 0 and the side inputs after it; it produces the step's outputs. */
  void addOperator(TranslationContext context, OperatorFactory factory, TranslationContext.Input mainInput) {
    List<TranslationContext.Input> inputs = new ArrayList<>();
    inputs.add(mainInput);
    for (PCollectionView<?> view : sideInputs) {
      inputs.add(new TranslationContext.Input(context.producerOf(view.getPCollection()), inputs.size(),
          Partitioning.broadcast()));
    }
    OperatorNode node = context.addOperator(transform.getFullName(), factory, inputs);
    transform.getOutputs().forEach((tag, pc) -> context.setProducer(pc, node, outputTags.indexOf(tag)));
  }
}

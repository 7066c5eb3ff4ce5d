package io.sluice.translation.translators;

import io.sluice.execution.graph.Partitioning;
import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.DoFnSpec;
import io.sluice.translation.operators.KeyedRecord;
import io.sluice.translation.operators.StreamingParDoOperator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.runners.core.SplittableParDoViaKeyedWorkItems.ProcessElements;
import org.apache.beam.runners.core.SplittableParDoViaKeyedWorkItems.ProcessFn;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.DoFnSchemaInformation;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;

/**
 * A splittable DoFn in streaming: runners-core's ProcessFn over keyed (element, restriction)
 * pairs, in a keyed streaming ParDo (see {@code SplittableProcessing}). Its input, grouped into
 * keyed work items by Beam's expansion, arrives here as keyed records over a hash edge.
 */
public final class SplittableProcessTranslator implements TransformTranslator<ProcessElements<?, ?, ?, ?, ?>> {

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void translate(AppliedPTransform<?, ?, ProcessElements<?, ?, ?, ?, ?>> transform, TranslationContext context) {
    ProcessElements processElements = transform.getTransform();
    String step = transform.getFullName();
    PCollection<?> input = Transforms.mainInput(transform);
    List<TupleTag<?>> outputTags = new ArrayList<>();
    outputTags.add(processElements.getMainOutputTag());
    outputTags.addAll(processElements.getAdditionalOutputTags().getAll());
    Map<TupleTag<?>, Coder<?>> outputCoders = new LinkedHashMap<>();
    transform.getOutputs().forEach((tag, pc) -> outputCoders.put(tag, pc.getCoder()));
    List<PCollectionView<?>> sideInputs = new ArrayList<>(processElements.getSideInputs());
    ProcessFn processFn = processElements.newProcessFn(processElements.getFn());
    DoFnSpec spec = new DoFnSpec(
        step,
        processFn,
        processElements.getMainOutputTag(),
        outputTags,
        input.getCoder(),
        outputCoders,
        // Work items are globally windowed; state and timers live in the elements' own windows.
        processFn.getInputWindowingStrategy(),
        DoFnSchemaInformation.create(),
        sideInputs,
        processElements.getSideInputMapping(),
        context.options(),
        context.settings().maxBundleSize());
    List<TranslationContext.Input> inputs = new ArrayList<>();
    inputs.add(new TranslationContext.Input(context.producerOf(input), 0, Partitioning.hash(KeyedRecord::keyHashOf)));
    for (PCollectionView<?> view : sideInputs) {
      inputs.add(new TranslationContext.Input(context.producerOf(view.getPCollection()), inputs.size(),
          Partitioning.broadcast()));
    }
    io.sluice.execution.graph.OperatorNode node =
        context.addOperator(step, subtask -> StreamingParDoOperator.splittable(spec, context.metrics()), inputs);
    transform.getOutputs().forEach((tag, pc) -> context.setProducer(pc, node, outputTags.indexOf(tag)));
  }
}

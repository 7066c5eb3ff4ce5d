package io.sluice.translation.translators;

import io.sluice.execution.graph.Partitioning;
import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.dofn.DoFnSpec;
import io.sluice.translation.operators.timely.TimelyParDoOperator;
import io.sluice.translation.records.KeyedRecord;
import org.apache.beam.runners.core.SplittableParDoViaKeyedWorkItems.ProcessElements;
import org.apache.beam.runners.core.SplittableParDoViaKeyedWorkItems.ProcessFn;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.DoFnSchemaInformation;
import org.apache.beam.sdk.values.PCollection;

/**
 * A splittable DoFn, in batch as in streaming: runners-core's ProcessFn over keyed (element,
 * restriction) pairs, in a keyed {@link TimelyParDoOperator}, whose resume timers bring back the
 * residuals of split calls. Its input, grouped into keyed work items by Beam's expansion, arrives here as keyed records
 * over a hash edge.
 */
public final class SplittableProcessTranslator implements TransformTranslator<ProcessElements<?, ?, ?, ?, ?>> {

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public void translate(AppliedPTransform<?, ?, ProcessElements<?, ?, ?, ?, ?>> transform, TranslationContext context) {
    ProcessElements processElements = transform.getTransform();
    PCollection<?> input = Transforms.mainInput(transform);
    ParDoWiring wiring = new ParDoWiring(transform, processElements.getMainOutputTag(),
        processElements.getAdditionalOutputTags(), processElements.getSideInputs());
    ProcessFn processFn = processElements.newProcessFn(processElements.getFn());
    DoFnSpec spec = wiring.spec(
        processFn,
        input.getCoder(),
        // Work items are globally windowed; state and timers live in the elements' own windows.
        processFn.getInputWindowingStrategy(),
        DoFnSchemaInformation.create(),
        processElements.getSideInputMapping(),
        context);
    wiring.addOperator(context, subtask -> TimelyParDoOperator.splittable(spec),
        new TranslationContext.Input(context.producerOf(input), 0, Partitioning.hash(KeyedRecord::keyHashOf)));
  }
}

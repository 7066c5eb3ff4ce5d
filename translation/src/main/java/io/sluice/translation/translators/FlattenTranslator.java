package io.sluice.translation.translators;

import io.sluice.execution.graph.Partitioning;
import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.shared.FlattenOperator;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollection;

/**
 * Flatten becomes one operator with an input port per input (the same PCollection twice is two
 * inputs, so its elements come out twice; no input at all is an operator that emits nothing).
 */
public final class FlattenTranslator<T> implements TransformTranslator<Flatten.PCollections<T>> {
  @Override
  public void translate(AppliedPTransform<?, ?, Flatten.PCollections<T>> transform, TranslationContext context) {
    List<TranslationContext.Input> inputs = new ArrayList<>();
    for (PCollection<?> pc : transform.getInputs().values()) {
      inputs.add(new TranslationContext.Input(context.producerOf(pc), inputs.size(), Partitioning.forward()));
    }
    context.setProducer(Transforms.onlyOutput(transform),
        context.addOperator(transform.getFullName(), subtask -> new FlattenOperator(), inputs), 0);
  }
}

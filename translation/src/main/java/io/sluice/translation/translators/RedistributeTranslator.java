package io.sluice.translation.translators;

import io.sluice.execution.graph.Partitioning;
import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.FlattenOperator;
import java.util.List;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.PTransform;

/**
 * Reshuffle and Redistribute: the elements, untouched (timestamps, windows and panes kept), dealt
 * round-robin over the next vertex's subtasks. Beam's expansion through a GroupByKey would cost a
 * sort and lose the metadata it must keep.
 */
public final class RedistributeTranslator implements TransformTranslator<PTransform<?, ?>> {
  @Override
  public void translate(AppliedPTransform<?, ?, PTransform<?, ?>> transform, TranslationContext context) {
    TranslationContext.Input input = new TranslationContext.Input(
        context.producerOf(Transforms.mainInput(transform)), 0, Partitioning.roundRobin());
    context.setProducer(Transforms.onlyOutput(transform),
        context.addOperator(transform.getFullName(), subtask -> new FlattenOperator(), List.of(input)), 0);
  }
}

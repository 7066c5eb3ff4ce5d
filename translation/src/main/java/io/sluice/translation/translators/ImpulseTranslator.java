package io.sluice.translation.translators;

import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.shared.ImpulseOperator;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.Impulse;

/** Impulse becomes a source vertex whose first subtask emits the one element. */
public final class ImpulseTranslator implements TransformTranslator<Impulse> {
  @Override
  public void translate(AppliedPTransform<?, ?, Impulse> transform, TranslationContext context) {
    context.setProducer(Transforms.onlyOutput(transform),
        context.addSource(transform.getFullName(), subtask -> new ImpulseOperator()), 0);
  }
}

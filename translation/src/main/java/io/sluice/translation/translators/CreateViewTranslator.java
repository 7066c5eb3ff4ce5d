package io.sluice.translation.translators;

import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.View;

/**
 * CreatePCollectionView adds nothing to the graph: a ParDo that reads the view gets the view's
 * PCollection over a broadcast edge and materializes it itself.
 */
public final class CreateViewTranslator<E, V> implements TransformTranslator<View.CreatePCollectionView<E, V>> {
  @Override
  public void translate(AppliedPTransform<?, ?, View.CreatePCollectionView<E, V>> transform, TranslationContext context) {
    context.alias(Transforms.onlyOutput(transform), Transforms.mainInput(transform));
  }
}

package io.sluice.translation;

import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.PTransform;

/** Translates one kind of Beam transform, named by its URN, into operators of the job graph. */
@FunctionalInterface
public interface TransformTranslator<T extends PTransform<?, ?>> {
  void translate(AppliedPTransform<?, ?, T> transform, TranslationContext context) throws Exception;

  /**
   * Whether this translator handles this application of a composite; if not, the composite is
   * expanded and its parts translated instead. Primitives must always be handled.
   */
  default boolean canTranslate(AppliedPTransform<?, ?, T> transform, TranslationContext context) {
    return true;
  }
}

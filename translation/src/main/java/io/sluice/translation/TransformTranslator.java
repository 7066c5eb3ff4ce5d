package io.sluice.translation;

import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.PTransform;

/** Translates one kind of Beam transform, named by its URN, into operators of the job graph. */
@FunctionalInterface
public interface TransformTranslator<T extends PTransform<?, ?>> {
  void translate(AppliedPTransform<?, ?, T> transform, TranslationContext context) throws Exception;
}

package io.sluice.translation.translators;

import io.sluice.execution.graph.Partitioning;
import io.sluice.translation.TranslationContext;
import java.util.List;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.util.construction.TransformInputs;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.collect.Iterables;

/** Typed access to an applied transform's inputs and outputs, so translators need no casts. */
final class Transforms {

  private Transforms() {}

  @SuppressWarnings("unchecked")
  static <T> PCollection<T> mainInput(AppliedPTransform<?, ?, ?> transform) {
    return (PCollection<T>) Iterables.getOnlyElement(TransformInputs.nonAdditionalInputs(transform));
  }

  @SuppressWarnings("unchecked")
  static <T> PCollection<T> onlyOutput(AppliedPTransform<?, ?, ?> transform) {
    return (PCollection<T>) Iterables.getOnlyElement(transform.getOutputs().values());
  }

  /** The main input, delivered forward into input port 0. */
  static List<TranslationContext.Input> forwardMainInput(AppliedPTransform<?, ?, ?> transform, TranslationContext context) {
    return List.of(new TranslationContext.Input(context.producerOf(mainInput(transform)), 0, Partitioning.forward()));
  }
}

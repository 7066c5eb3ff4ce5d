package io.sluice.translation;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PValue;

/** What about a pipeline decides how it runs: unbounded data makes it streaming, a TestStream its clock. */
record PipelineShape(boolean hasUnbounded, boolean hasTestStream) {

  static PipelineShape of(Pipeline pipeline) {
    boolean[] found = new boolean[2];
    pipeline.traverseTopologically(new Pipeline.PipelineVisitor.Defaults() {
      @Override
      public void visitPrimitiveTransform(TransformHierarchy.Node node) {
        if (node.getTransform() instanceof TestStream) {
          found[1] = true;
        }
      }

      @Override
      public void visitValue(PValue value, TransformHierarchy.Node producer) {
        if (value instanceof PCollection && ((PCollection<?>) value).isBounded() == PCollection.IsBounded.UNBOUNDED) {
          found[0] = true;
        }
      }
    });
    return new PipelineShape(found[0], found[1]);
  }
}

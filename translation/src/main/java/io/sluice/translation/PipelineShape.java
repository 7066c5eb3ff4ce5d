package io.sluice.translation;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.AfterSynchronizedProcessingTime;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PValue;

/**
 * What about a pipeline decides how it runs. Unbounded data, and triggers that fire on processing
 * time (meaningless when a batch job fires every pane at its end), make it streaming; a TestStream
 * drives its clock. (The portable path asks {@link #firesOnProcessingTime} of a pipeline proto's
 * windowing strategies.)
 */
public record PipelineShape(boolean needsStreaming, boolean hasTestStream) {

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
        if (value instanceof PCollection) {
          PCollection<?> pc = (PCollection<?>) value;
          if (pc.isBounded() == PCollection.IsBounded.UNBOUNDED
              || firesOnProcessingTime(pc.getWindowingStrategy().getTrigger())) {
            found[0] = true;
          }
        }
      }
    });
    return new PipelineShape(found[0], found[1]);
  }

  /** Whether {@code trigger}, or one of its parts, fires on processing time. */
  public static boolean firesOnProcessingTime(Trigger trigger) {
    if (trigger instanceof AfterProcessingTime || trigger instanceof AfterSynchronizedProcessingTime) {
      return true;
    }
    for (Trigger sub : trigger.subTriggers()) {
      if (firesOnProcessingTime(sub)) {
        return true;
      }
    }
    return false;
  }
}

package io.sluice.translation.translators;

import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.shared.AssignWindowsOperator;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;

/** Window.Assign becomes a fused operator that assigns windows (a pure trigger change needs none). */
public final class WindowAssignTranslator<T> implements TransformTranslator<Window.Assign<T>> {
  @Override
  public void translate(AppliedPTransform<?, ?, Window.Assign<T>> transform, TranslationContext context) {
    WindowFn<T, ?> windowFn = transform.getTransform().getWindowFn();
    if (windowFn == null) {
      context.alias(Transforms.onlyOutput(transform), Transforms.mainInput(transform));
      return;
    }
    context.setProducer(Transforms.onlyOutput(transform), context.addOperator(transform.getFullName(),
        subtask -> new AssignWindowsOperator<>(windowFn), Transforms.forwardMainInput(transform, context)), 0);
  }
}

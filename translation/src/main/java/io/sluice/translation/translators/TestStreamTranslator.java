package io.sluice.translation.translators;

import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.streaming.TestStreamOperator;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.testing.TestStream;

/** A TestStream becomes a source that replays its events (see {@link TestStreamOperator}). */
public final class TestStreamTranslator<T> implements TransformTranslator<TestStream<T>> {

  @Override
  public void translate(AppliedPTransform<?, ?, TestStream<T>> transform, TranslationContext context) {
    TestStream<T> testStream = transform.getTransform();
    context.setProducer(Transforms.onlyOutput(transform),
        context.addSource(transform.getFullName(), subtask -> new TestStreamOperator<>(testStream.getEvents())), 0);
  }
}

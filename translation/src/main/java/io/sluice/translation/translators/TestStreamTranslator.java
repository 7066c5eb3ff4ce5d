package io.sluice.translation.translators;

import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.streaming.TestStreamOperator;
import io.sluice.translation.records.CoderBytes;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.testing.TestStream;

/**
 * A TestStream becomes a source that replays its events (see {@link TestStreamOperator}). The
 * events travel encoded with Beam's TestStream coder: they are not serializable, the coder is.
 */
public final class TestStreamTranslator<T> implements TransformTranslator<TestStream<T>> {

  @Override
  public void translate(AppliedPTransform<?, ?, TestStream<T>> transform, TranslationContext context)
      throws CoderException {
    TestStream<T> testStream = transform.getTransform();
    Coder<TestStream<T>> coder = TestStream.TestStreamCoder.of(testStream.getValueCoder());
    byte[] encoded = new CoderBytes().encode(coder, testStream);
    context.setProducer(Transforms.onlyOutput(transform), context.addSource(transform.getFullName(),
        subtask -> new TestStreamOperator<>(events(coder, encoded))), 0);
  }

  private static <T> java.util.List<TestStream.Event<T>> events(Coder<TestStream<T>> coder, byte[] encoded) {
    try {
      return CoderBytes.decode(coder, encoded).getEvents();
    } catch (CoderException e) {
      throw new IllegalStateException("cannot decode the events of a TestStream", e);
    }
  }
}

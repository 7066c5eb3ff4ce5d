package io.sluice.translation.translators;

import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import org.apache.beam.runners.core.SplittableParDoViaKeyedWorkItems.GBKIntoKeyedWorkItems;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.values.PCollection;

/**
 * Grouping into keyed work items only routes by key: the keyed operator that consumes it sees
 * each key's elements one by one, with that key's state, which is all a work item carries.
 */
public final class KeyedWorkItemsTranslator<K, V> implements TransformTranslator<GBKIntoKeyedWorkItems<K, V>> {

  @Override
  public void translate(AppliedPTransform<?, ?, GBKIntoKeyedWorkItems<K, V>> transform, TranslationContext context) {
    PCollection<?> input = Transforms.mainInput(transform);
    KvCoder<K, V> coder = KeyedInputs.kvCoder(input, transform.getFullName());
    TranslationContext.Port keyed = KeyedInputs.encodeKeys(input, coder.getKeyCoder(), transform.getFullName(), context);
    context.setProducer(Transforms.onlyOutput(transform), keyed);
  }
}

package io.sluice.translation.translators;

import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.operator.OperatorFactory;
import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.batch.BatchParDoOperator;
import io.sluice.translation.operators.batch.BatchStatefulParDoOperator;
import io.sluice.translation.operators.dofn.DoFnSpec;
import io.sluice.translation.operators.timely.TimelyParDoOperator;
import io.sluice.translation.records.KeyedRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.reflect.DoFnSignature;
import org.apache.beam.sdk.transforms.reflect.DoFnSignatures;
import org.apache.beam.sdk.util.construction.ParDoTranslation;
import org.apache.beam.sdk.values.PCollection;

/**
 * ParDo: stateless ones fuse into their input's vertex; ones with state or timers get a keyed edge.
 * Each side input arrives over a broadcast edge on its own input port. Batch and streaming have
 * their own operators: batch sees each key's input whole, streaming lives by watermarks.
 */
public final class ParDoTranslator<I, O> implements TransformTranslator<ParDo.MultiOutput<I, O>> {

  @Override
  public void translate(AppliedPTransform<?, ?, ParDo.MultiOutput<I, O>> transform, TranslationContext context)
      throws Exception {
    ParDo.MultiOutput<I, O> parDo = transform.getTransform();
    DoFn<I, O> fn = parDo.getFn();
    DoFnSignature signature = DoFnSignatures.getSignature(fn.getClass());
    String step = transform.getFullName();
    if (signature.processElement().isSplittable()) {
      throw new UnsupportedOperationException("splittable DoFn " + fn.getClass().getName() + " at step " + step
          + " reached translation unexpanded: Sluice expands every splittable DoFn into keyed work items first");
    }
    PCollection<I> input = Transforms.mainInput(transform);

    ParDoWiring wiring = new ParDoWiring(transform, parDo.getMainOutputTag(), parDo.getAdditionalOutputTags(),
        parDo.getSideInputs().values());
    DoFnSpec spec = wiring.spec(fn, input.getCoder(), input.getWindowingStrategy(),
        ParDoTranslation.getSchemaInformation(transform), ParDoTranslation.getSideInputMapping(transform), context);

    boolean stateful = signature.usesState() || signature.usesTimers();
    TranslationContext.Input mainInput;
    OperatorFactory factory;
    if (stateful) {
      Coder<?> keyCoder = KeyedInputs.kvCoder(input, step).getKeyCoder();
      TranslationContext.Port keyed = KeyedInputs.encodeKeys(input, keyCoder, step, context);
      mainInput = context.settings().streaming()
          ? new TranslationContext.Input(keyed, 0, Partitioning.hash(KeyedRecord::keyHashOf))
          : new TranslationContext.Input(keyed, 0, Partitioning.hash(KeyedRecord::keyHashOf),
              BatchStatefulParDoOperator.inputSerializer(spec));
      factory = context.settings().streaming()
          ? subtask -> new TimelyParDoOperator(spec, true)
          : subtask -> new BatchStatefulParDoOperator(spec);
    } else {
      mainInput = new TranslationContext.Input(context.producerOf(input), 0, Partitioning.forward());
      factory = context.settings().streaming()
          ? subtask -> new TimelyParDoOperator(spec, false)
          : subtask -> new BatchParDoOperator(spec);
    }
    wiring.addOperator(context, factory, mainInput);
  }
}

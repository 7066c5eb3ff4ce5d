package io.sluice.translation.translators;

import io.sluice.execution.graph.Partitioning;
import io.sluice.execution.operator.OperatorFactory;
import io.sluice.translation.TransformTranslator;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.operators.DoFnSpec;
import io.sluice.translation.operators.KeyedRecord;
import io.sluice.translation.operators.ParDoOperator;
import io.sluice.translation.operators.StatefulParDoOperator;
import io.sluice.translation.operators.StreamingParDoOperator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.reflect.DoFnSignature;
import org.apache.beam.sdk.transforms.reflect.DoFnSignatures;
import org.apache.beam.sdk.util.construction.ParDoTranslation;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;

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

    List<TupleTag<?>> outputTags = new ArrayList<>();
    outputTags.add(parDo.getMainOutputTag());
    outputTags.addAll(parDo.getAdditionalOutputTags().getAll());
    Map<TupleTag<?>, Coder<?>> outputCoders = new LinkedHashMap<>();
    for (Map.Entry<TupleTag<?>, PCollection<?>> out : transform.getOutputs().entrySet()) {
      outputCoders.put(out.getKey(), out.getValue().getCoder());
    }
    List<PCollectionView<?>> sideInputs = new ArrayList<>(parDo.getSideInputs().values());
    DoFnSpec spec = new DoFnSpec(
        step,
        fn,
        parDo.getMainOutputTag(),
        outputTags,
        input.getCoder(),
        outputCoders,
        input.getWindowingStrategy(),
        ParDoTranslation.getSchemaInformation(transform),
        sideInputs,
        ParDoTranslation.getSideInputMapping(transform),
        context.options(),
        context.settings().maxBundleSize());

    boolean stateful = signature.usesState() || signature.usesTimers();
    List<TranslationContext.Input> inputs = new ArrayList<>();
    OperatorFactory factory;
    if (stateful) {
      Coder<?> keyCoder = KeyedInputs.kvCoder(input, step).getKeyCoder();
      TranslationContext.Port keyed = KeyedInputs.encodeKeys(input, keyCoder, step, context);
      inputs.add(context.settings().streaming()
          ? new TranslationContext.Input(keyed, 0, Partitioning.hash(KeyedRecord::keyHashOf))
          : new TranslationContext.Input(keyed, 0, Partitioning.hash(KeyedRecord::keyHashOf),
              StatefulParDoOperator.inputSerializer(spec)));
      factory = context.settings().streaming()
          ? subtask -> new StreamingParDoOperator(spec, context.metrics(), true)
          : subtask -> new StatefulParDoOperator(spec, context.metrics());
    } else {
      inputs.add(new TranslationContext.Input(context.producerOf(input), 0, Partitioning.forward()));
      factory = context.settings().streaming()
          ? subtask -> new StreamingParDoOperator(spec, context.metrics(), false)
          : subtask -> new ParDoOperator(spec, context.metrics());
    }
    for (PCollectionView<?> view : sideInputs) {
      inputs.add(new TranslationContext.Input(context.producerOf(view.getPCollection()), inputs.size(),
          Partitioning.broadcast()));
    }
    io.sluice.execution.graph.OperatorNode node = context.addOperator(step, factory, inputs);
    for (Map.Entry<TupleTag<?>, PCollection<?>> out : transform.getOutputs().entrySet()) {
      context.setProducer(out.getValue(), node, outputTags.indexOf(out.getKey()));
    }
  }
}

package io.sluice.portability.translation;

import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.translators.RedistributeTranslator;
import io.sluice.translation.operators.batch.BatchGroupByKeyOperator;
import io.sluice.translation.operators.streaming.StreamingGroupByKeyOperator;
import io.sluice.translation.operators.streaming.TestStreamOperator;
import io.sluice.translation.operators.shared.FlattenOperator;
import io.sluice.translation.operators.shared.ImpulseOperator;
import io.sluice.translation.records.KeyedRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.core.SystemReduceFn;
import org.apache.beam.runners.core.construction.SerializablePipelineOptions;
import org.apache.beam.runners.fnexecution.wire.LengthPrefixUnknownCoders;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.construction.RehydratedComponents;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.coders.LengthPrefixCoder;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.util.construction.TestStreamTranslation;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.util.construction.graph.PipelineNode;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * The primitives the runner runs itself, on the engine's operators that the Java path uses too:
 * Impulse, GroupByKey (on the keys' wire bytes, so any SDK's keys group; by trigger in streaming),
 * Flatten and TestStream.
 */
final class PrimitiveTranslators {

  private PrimitiveTranslators() {}

  static void impulse(PipelineNode.PTransformNode transform, PortableContext context) throws Exception {
    OperatorNode node = context.sluice().addSource(transform.getTransform().getUniqueName(),
        subtask -> new ImpulseOperator());
    context.produces(onlyOutput(transform), node, 0);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static void groupByKey(PipelineNode.PTransformNode transform, PortableContext context) throws Exception {
    String step = transform.getTransform().getUniqueName();
    String input = onlyInput(transform);
    KvCoder kv = context.kvCoder(input, step);
    WindowingStrategy<?, ?> windowing = context.windowing(input);
    TranslationContext sluice = context.sluice();
    TranslationContext.Port keyed = context.encodeKeys(step, input, kv, kv.getKeyCoder());
    SerializablePipelineOptions options = sluice.shippedOptions();
    OperatorNode node;
    if (sluice.settings().streaming()) {
      // Panes by trigger, lateness and merging windows: runners-core's ReduceFnRunner, as on the Java path.
      node = sluice.addOperator(step, subtask -> new StreamingGroupByKeyOperator(kv,
              () -> SystemReduceFn.buffering(kv.getValueCoder()), windowing, options, step),
          List.of(new TranslationContext.Input(keyed, 0, Partitioning.hash(KeyedRecord::keyHashOf))));
    } else {
      node = sluice.addOperator(step, subtask -> new BatchGroupByKeyOperator(kv, windowing, options),
          List.of(new TranslationContext.Input(keyed, 0, Partitioning.hash(KeyedRecord::keyHashOf),
              BatchGroupByKeyOperator.inputSerializer(kv, windowing))));
    }
    context.produces(onlyOutput(transform), node, 0);
  }

  /**
   * A TestStream replays its events from a source, watermarks and processing time in band. Its
   * elements come encoded by the SDK's coder: decoded with the runner's wire coder of the output,
   * whose unknown parts are the SDK's bytes, as every collection carries them between operators.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static void testStream(PipelineNode.PTransformNode transform, PortableContext context) throws Exception {
    String output = onlyOutput(transform);
    RunnerApi.TestStreamPayload payload = RunnerApi.TestStreamPayload.parseFrom(
        transform.getTransform().getSpec().getPayload());
    String outputCoder = context.components().getPcollectionsOrThrow(output).getCoderId();
    if (!payload.getCoderId().equals(outputCoder)) {
      throw new UnsupportedOperationException("TestStream " + transform.getTransform().getUniqueName()
          + ": its events are encoded with coder " + payload.getCoderId() + ", its output with " + outputCoder
          + "; the runner cannot turn one into the other (in Python, give the TestStream output types that"
          + " match its coder)");
    }
    Coder<Object> elements = (Coder<Object>) context.wireCoder(output).getValueCoder();
    Coder<Object> coder = elements;
    WireForm wire = null;
    if (isOpaque(elements)) {
      // An SDK's own coder: the runner's element is the SDK's encoding, which is what the event holds.
      coder = (Coder) ByteArrayCoder.of();
    } else if (hasOpaquePart(elements)) {
      // Where the SDK's coder is one of this JVM (a Java pipeline's, say), the events decode with it
      // and each element takes the runner's form: the bytes the harness would send, read by the
      // runner's wire coder.
      RunnerApi.Components.Builder components = context.components().toBuilder();
      String harnessCoder = LengthPrefixUnknownCoders.addLengthPrefixedCoder(payload.getCoderId(), components, false);
      try {
        RehydratedComponents known = RehydratedComponents.forComponents(components.build());
        coder = (Coder<Object>) known.getCoder(payload.getCoderId());
        wire = new WireForm((Coder<Object>) known.getCoder(harnessCoder), elements);
      } catch (java.io.IOException | RuntimeException e) {
        throw new UnsupportedOperationException("TestStream " + transform.getTransform().getUniqueName()
            + ": its elements' coder has parts only the SDK knows (" + elements + "), so the runner cannot read"
            + " the events' elements apart; give the TestStream a coder of standard parts (in Python, for example,"
            + " TestStream(coder=TupleCoder([StrUtf8Coder(), VarIntCoder()])))", e);
      }
    }
    // Events are not serializable: each subtask decodes them from the payload.
    byte[] bytes = payload.toByteArray();
    Coder<Object> eventCoder = coder;
    WireForm toWire = wire;
    events(bytes, eventCoder, toWire);  // Fails now, at translation, if the events do not decode.
    OperatorNode node = context.sluice().addSource(transform.getTransform().getUniqueName(),
        subtask -> new TestStreamOperator<>(events(bytes, eventCoder, toWire)));
    context.produces(output, node, 0);
  }

  /** From an SDK object to the runner's form of it: through the bytes both coders agree on. */
  private record WireForm(Coder<Object> harness, Coder<Object> runner) implements java.io.Serializable {
    Object of(Object element) throws CoderException {
      return CoderUtils.decodeFromByteArray(runner, CoderUtils.encodeToByteArray(harness, element));
    }
  }

  /** An SDK's own coder, as the runner sees it: length-prefixed bytes. */
  private static boolean isOpaque(Coder<?> coder) {
    return coder instanceof LengthPrefixCoder<?> prefixed && prefixed.getValueCoder() instanceof ByteArrayCoder;
  }

  private static boolean hasOpaquePart(Coder<?> coder) {
    return isOpaque(coder) || coder.getCoderArguments().stream().anyMatch(PrimitiveTranslators::hasOpaquePart);
  }

  private static List<TestStream.Event<Object>> events(byte[] payload, Coder<Object> coder, WireForm wire) {
    try {
      List<TestStream.Event<Object>> events = TestStreamTranslation.<Object>testStreamFromProtoPayload(
          RunnerApi.TestStreamPayload.parseFrom(payload), coder).getEvents();
      if (wire == null) {
        return events;
      }
      List<TestStream.Event<Object>> converted = new ArrayList<>();
      for (TestStream.Event<Object> event : events) {
        if (event instanceof TestStream.ElementEvent<Object> added) {
          List<TimestampedValue<Object>> elements = new ArrayList<>();
          for (TimestampedValue<Object> element : added.getElements()) {
            elements.add(TimestampedValue.of(wire.of(element.getValue()), element.getTimestamp()));
          }
          converted.add(TestStream.ElementEvent.add(elements));
        } else {
          converted.add(event);
        }
      }
      return converted;
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot decode the events of a TestStream", e);
    }
  }

  static void flatten(PipelineNode.PTransformNode transform, PortableContext context) throws Exception {
    TranslationContext sluice = context.sluice();
    List<TranslationContext.Input> inputs = new ArrayList<>();
    for (String input : transform.getTransform().getInputsMap().values()) {
      inputs.add(new TranslationContext.Input(sluice.producerOf(input), inputs.size(), Partitioning.forward()));
    }
    OperatorNode node = sluice.addOperator(transform.getTransform().getUniqueName(), subtask -> new FlattenOperator(),
        inputs);
    context.produces(onlyOutput(transform), node, 0);
  }

  /**
   * Reshuffle and Redistribute by key: the elements untouched (timestamps, windows, panes), moved to
   * the next vertex's subtasks by their key's wire bytes, so one key's elements keep their order.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static void redistributeByKey(PipelineNode.PTransformNode transform, PortableContext context) throws Exception {
    String step = transform.getTransform().getUniqueName();
    String input = onlyInput(transform);
    KvCoder kv = context.kvCoder(input, step);
    Coder<Object> keyCoder = kv.getKeyCoder();
    redistribute(transform, context, Partitioning.hash(record -> RedistributeTranslator.keyHash(keyCoder, record)));
  }

  /**
   * Reshuffle: by key where the elements are key-value pairs (Java's, whose per-key order a
   * reshuffle keeps), else dealt round-robin (Python's Reshuffle takes any element).
   */
  static void reshuffle(PipelineNode.PTransformNode transform, PortableContext context) throws Exception {
    if (context.wireCoder(onlyInput(transform)).getValueCoder() instanceof KvCoder) {
      redistributeByKey(transform, context);
    } else {
      redistributeArbitrarily(transform, context);
    }
  }

  /** Redistribute arbitrarily: the elements untouched, dealt round-robin. */
  static void redistributeArbitrarily(PipelineNode.PTransformNode transform, PortableContext context) throws Exception {
    redistribute(transform, context, Partitioning.roundRobin());
  }

  private static void redistribute(PipelineNode.PTransformNode transform, PortableContext context,
      Partitioning partitioning) throws Exception {
    TranslationContext sluice = context.sluice();
    OperatorNode node = sluice.addOperator(transform.getTransform().getUniqueName(), subtask -> new FlattenOperator(),
        List.of(new TranslationContext.Input(sluice.producerOf(onlyInput(transform)), 0, partitioning)));
    context.produces(onlyOutput(transform), node, 0);
  }


  static String onlyInput(PipelineNode.PTransformNode transform) {
    return only(transform.getTransform().getInputsMap().values(), transform, "input");
  }

  static String onlyOutput(PipelineNode.PTransformNode transform) {
    return only(transform.getTransform().getOutputsMap().values(), transform, "output");
  }

  private static String only(java.util.Collection<String> ids, PipelineNode.PTransformNode transform, String what) {
    if (ids.size() != 1) {
      throw new IllegalArgumentException(transform.getTransform().getUniqueName() + " has " + ids.size() + " "
          + what + "s, not one");
    }
    return ids.iterator().next();
  }
}

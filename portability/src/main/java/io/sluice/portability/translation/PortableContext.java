package io.sluice.portability.translation;

import io.sluice.execution.graph.Partitioning;
import io.sluice.portability.windowing.SdkWindows;
import io.sluice.translation.operators.shared.KeyEncodingOperator;
import io.sluice.translation.records.KeyedRecordSerializer;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import io.sluice.execution.channel.RecordSerializer;
import io.sluice.translation.TranslationContext;
import io.sluice.translation.records.WindowedValueSerializer;
import java.io.IOException;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.runners.fnexecution.wire.WireCoders;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.util.construction.RehydratedComponents;
import org.apache.beam.sdk.util.construction.WindowingStrategyTranslation;
import org.apache.beam.sdk.util.construction.graph.PipelineNode;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * What translating one pipeline proto shares: Sluice's translation context, keyed by collection id,
 * the pipeline's components and the job. Between Sluice's operators a collection's elements are
 * WindowedValues decoded with the runner's wire coder: an SDK's own coders come as length-prefixed
 * bytes, which the runner groups and moves without knowing them.
 */
final class PortableContext {

  private final TranslationContext sluice;
  private final RunnerApi.Components components;
  private final RehydratedComponents rehydrated;
  private final JobInfo job;

  PortableContext(TranslationContext sluice, RunnerApi.Components components, JobInfo job) {
    this.sluice = sluice;
    this.components = components;
    this.rehydrated = RehydratedComponents.forComponents(components);
    this.job = job;
  }

  TranslationContext sluice() {
    return sluice;
  }

  RunnerApi.Components components() {
    return components;
  }

  JobInfo job() {
    return job;
  }

  /** The runner's wire coder of collection {@code id}. */
  WindowedValues.WindowedValueCoder<?> wireCoder(String id) throws IOException {
    Coder<WindowedValue<Object>> coder = WireCoders.instantiateRunnerWireCoder(
        PipelineNode.pCollection(id, components.getPcollectionsOrThrow(id)), components);
    return (WindowedValues.WindowedValueCoder<?>) coder;
  }

  WindowingStrategy<?, ?> windowing(String id) throws IOException {
    try {
      return WindowingStrategyTranslation.fromProto(SdkWindows.runnable(
          components.getPcollectionsOrThrow(id).getWindowingStrategyId(), components, job), rehydrated);
    } catch (org.apache.beam.vendor.grpc.v1p69p0.com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IOException("the windowing of collection " + id + " cannot be read", e);
    }
  }

  /** How collection {@code id} travels between vertices: its wire coder, with its windows. */
  RecordSerializer serializer(String id) throws IOException {
    return WindowedValueSerializer.of(wireCoder(id).getValueCoder(), windowing(id));
  }

  /** The elements' coder of collection {@code id}, which {@code step} needs to be key-value pairs. */
  KvCoder<?, ?> kvCoder(String id, String step) throws IOException {
    Coder<?> elements = wireCoder(id).getValueCoder();
    if (!(elements instanceof KvCoder<?, ?> kv)) {
      throw new IllegalArgumentException(step + " needs key-value pairs, but the elements of " + id + " are not: "
          + elements);
    }
    return kv;
  }

  /**
   * Collection {@code id} with each element's key encoded once by {@code keyCoder} (deterministic),
   * ready for a keyed edge: the sending side of {@code step}'s grouping or keyed state.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  TranslationContext.Port encodeKeys(String step, String id, KvCoder<?, ?> kv, Coder<?> keyCoder) throws Exception {
    keyCoder.verifyDeterministic();
    return sluice.portOf(sluice.addOperator(step + "/EncodeKey", subtask -> new KeyEncodingOperator(keyCoder),
        List.of(new TranslationContext.Input(sluice.producerOf(id), 0, Partitioning.forward()))), 0,
        KeyedRecordSerializer.decoding(KvCoder.of((Coder) keyCoder, kv.getValueCoder()), windowing(id)));
  }

  /** Output {@code port} of {@code node} produces collection {@code id}. */
  void produces(String id, io.sluice.execution.graph.OperatorNode node, int port) throws IOException {
    sluice.setProducer(id, sluice.portOf(node, port, serializer(id)));
  }
}

package io.sluice.portability.translation;

import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.portability.operators.ExecutableStageOperator;
import io.sluice.portability.operators.NestedKeyCoder;
import io.sluice.translation.records.KeyedRecord;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import io.sluice.translation.TranslationContext;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.sdk.util.construction.graph.PipelineNode;

/**
 * A fused stage of user code becomes one operator that runs its bundles in the stage's SDK
 * harness: its main input on port 0 (partitioned by key if the stage keeps user state or sets timers), each side input whole on a port of its own (broadcast), each
 * output collection on an output port, in the order of their ids.
 */
final class ExecutableStageTranslator {

  private ExecutableStageTranslator() {}

  /**
   * The input of a stage with user state or timers, partitioned by key: by the key's nested
   * encoding, the bytes by which its harness names keys of state and timers.
   */
  private static TranslationContext.Input keyedInput(String step, String collection, PortableContext context)
      throws Exception {
    KvCoder<?, ?> kv = context.kvCoder(collection, step);
    TranslationContext.Port keyed = context.encodeKeys(step, collection, kv, new NestedKeyCoder<>(kv.getKeyCoder()));
    return new TranslationContext.Input(keyed, 0, Partitioning.hash(KeyedRecord::keyHashOf));
  }

  static void translate(PipelineNode.PTransformNode transform, PortableContext context) throws Exception {
    String step = transform.getTransform().getUniqueName();
    byte[] payloadBytes = transform.getTransform().getSpec().getPayload().toByteArray();
    RunnerApi.ExecutableStagePayload payload = RunnerApi.ExecutableStagePayload.parseFrom(payloadBytes);
    TranslationContext sluice = context.sluice();
    List<TranslationContext.Input> inputs = new ArrayList<>();
    if (ExecutableStageOperator.isKeyed(ExecutableStage.fromPayload(payload))) {
      inputs.add(keyedInput(step, payload.getInput(), context));
    } else {
      inputs.add(new TranslationContext.Input(sluice.producerOf(payload.getInput()), 0, Partitioning.forward()));
    }
    List<String> sideInputs = new ArrayList<>();
    for (RunnerApi.ExecutableStagePayload.SideInputId side : payload.getSideInputsList()) {
      String collection = payload.getComponents().getTransformsOrThrow(side.getTransformId()).getInputsOrThrow(
          side.getLocalName());
      if (sideInputs.contains(collection)) {
        // Read by two of the stage's transforms, or twice by one: it comes in once.
        continue;
      }
      sideInputs.add(collection);
      inputs.add(new TranslationContext.Input(sluice.producerOf(collection), inputs.size(), Partitioning.broadcast()));
    }
    List<String> outputs = new ArrayList<>(transform.getTransform().getOutputsMap().values());
    outputs.sort(null);
    JobInfo job = context.job();
    OperatorNode node = sluice.addOperator(step,
        subtask -> new ExecutableStageOperator(payloadBytes, job, outputs, sideInputs), inputs);
    for (int port = 0; port < outputs.size(); port++) {
      context.produces(outputs.get(port), node, port);
    }
  }
}

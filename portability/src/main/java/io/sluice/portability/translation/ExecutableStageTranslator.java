package io.sluice.portability.translation;

import io.sluice.execution.graph.OperatorNode;
import io.sluice.execution.graph.Partitioning;
import io.sluice.portability.operators.ExecutableStageOperator;
import io.sluice.translation.TranslationContext;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.sdk.util.construction.graph.PipelineNode;

/**
 * A fused stage of user code becomes one operator that runs its bundles in the stage's SDK
 * harness: its main input on port 0, each side input whole on a port of its own (broadcast), each
 * output collection on an output port, in the order of their ids.
 */
final class ExecutableStageTranslator {

  private ExecutableStageTranslator() {}

  static void translate(PipelineNode.PTransformNode transform, PortableContext context) throws Exception {
    String step = transform.getTransform().getUniqueName();
    byte[] payloadBytes = transform.getTransform().getSpec().getPayload().toByteArray();
    RunnerApi.ExecutableStagePayload payload = RunnerApi.ExecutableStagePayload.parseFrom(payloadBytes);
    if (payload.getUserStatesCount() > 0 || payload.getTimersCount() > 0) {
      throw new UnsupportedOperationException("stage " + step + " keeps user state or sets timers: the portable path"
          + " does not run stateful stages yet");
    }
    TranslationContext sluice = context.sluice();
    List<TranslationContext.Input> inputs = new ArrayList<>();
    inputs.add(new TranslationContext.Input(sluice.producerOf(payload.getInput()), 0, Partitioning.forward()));
    List<String> sideInputs = new ArrayList<>();
    for (RunnerApi.ExecutableStagePayload.SideInputId side : payload.getSideInputsList()) {
      String collection = payload.getComponents().getTransformsOrThrow(side.getTransformId()).getInputsOrThrow(
          side.getLocalName());
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

package io.sluice.portability.operators;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.beam.runners.fnexecution.control.BundleProgressHandler;
import org.apache.beam.runners.fnexecution.control.OutputReceiverFactory;
import org.apache.beam.runners.fnexecution.control.RemoteBundle;
import org.apache.beam.runners.fnexecution.provisioning.JobInfo;
import org.apache.beam.runners.fnexecution.state.StateRequestHandler;
import org.apache.beam.sdk.fn.data.FnDataReceiver;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;

/**
 * Asks an SDK how its WindowFn merges a key's windows: one bundle of a merge-windows stage, whose
 * one element is the windows, and whose answer is each merged window with the windows it took in.
 * The stage is described to the harness once per job ({@link StageContexts#withRunnerStage}).
 */
public final class SdkWindowMerges {

  private static final byte[] NONCE = new byte[0];

  private SdkWindowMerges() {}

  /** How the SDK merges {@code windows}: each merged window with the windows it took in. */
  @SuppressWarnings("unchecked")
  public static List<KV<BoundedWindow, Collection<BoundedWindow>>> merge(JobInfo job, byte[] mergeStage,
      Collection<BoundedWindow> windows) throws Exception {
    ConcurrentLinkedQueue<Object> answers = new ConcurrentLinkedQueue<>();
    OutputReceiverFactory outputs = new OutputReceiverFactory() {
      @Override
      public <T> FnDataReceiver<T> create(String collection) {
        return answers::add;
      }
    };
    StageContexts.withRunnerStage(job, mergeStage, stage -> {
      try (RemoteBundle bundle = stage.getBundle(outputs, null, StateRequestHandler.unsupported(),
          BundleProgressHandler.ignored(),
          id -> {
            throw new IllegalStateException("merging windows asked for finalization");
          },
          response -> {
            throw new IllegalStateException("merging windows checkpointed");
          })) {
        FnDataReceiver<Object> input = (FnDataReceiver<Object>) bundle.getInputReceivers().values().iterator().next();
        input.accept(WindowedValues.valueInGlobalWindow(KV.of(NONCE, new ArrayList<>(windows))));
      }
      return null;
    });
    if (answers.size() != 1) {
      throw new IllegalStateException("the SDK answered " + answers.size() + " times to merging " + windows);
    }
    KV<byte[], KV<Iterable<BoundedWindow>, Iterable<KV<BoundedWindow, Iterable<BoundedWindow>>>>> answer =
        ((WindowedValue<KV<byte[], KV<Iterable<BoundedWindow>, Iterable<KV<BoundedWindow, Iterable<BoundedWindow>>>>>>)
            answers.peek()).getValue();
    List<KV<BoundedWindow, Collection<BoundedWindow>>> merges = new ArrayList<>();
    for (KV<BoundedWindow, Iterable<BoundedWindow>> merged : answer.getValue().getValue()) {
      List<BoundedWindow> from = new ArrayList<>();
      merged.getValue().forEach(from::add);
      merges.add(KV.of(merged.getKey(), from));
    }
    return merges;
  }
}

package io.sluice.portability.operators;

import io.sluice.execution.state.SortedByteStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.model.pipeline.v1.RunnerApi;
import org.apache.beam.runners.fnexecution.state.StateRequestHandlers.IterableSideInputHandler;
import org.apache.beam.runners.fnexecution.state.StateRequestHandlers.MultimapSideInputHandler;
import org.apache.beam.runners.fnexecution.state.StateRequestHandlers.SideInputHandlerFactory;
import org.apache.beam.runners.fnexecution.wire.WireCoders;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.util.construction.WindowingStrategyTranslation;
import org.apache.beam.sdk.util.construction.graph.ExecutableStage;
import org.apache.beam.sdk.util.construction.graph.PipelineNode;
import org.apache.beam.sdk.util.construction.graph.SideInputReference;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;

/**
 * A stage's side inputs as they arrive, served to the harness as they stand when it asks. A window
 * of a side input holds its latest pane's elements (a triggered side input's later firing replaces
 * an earlier one). Main input may go to the harness once every side window it reads is ready: the
 * side input ended; or its watermark passed the window's end; or, for a triggered side input, a
 * pane of the window arrived. Which side window a main window reads is known here when the side
 * input is windowed as the stage's input is (the same window) or globally (the global window).
 * Otherwise the mapping is the SDK's (the stage may window its input itself): a triggered side
 * input is then ready once it fired at all, any other once it ended.
 *
 * <p>Durable: written whole at each checkpoint (every subtask holds the same, what the side inputs
 * sent before the barrier) and read back on restore, for a side input that ended before the
 * checkpoint sends nothing again. Lives on the subtask's thread; the harness's state requests read
 * it on gRPC threads while a bundle is open, so the operator changes it only between bundles.
 */
final class StageSideInputs implements SideInputHandlerFactory {

  /** One side input's windows, each by its window coder's structural value (a custom window too). */
  private static final class Side {
    final boolean triggered;
    final boolean sameWindowsAsMain;
    final boolean global;
    final Coder<BoundedWindow> windowCoder;
    final Coder<Object> valueCoder;
    /** Each window held, by its structural value. */
    final Map<Object, BoundedWindow> windows = new HashMap<>();
    final Map<Object, Long> panes = new HashMap<>();
    final Map<Object, List<Object>> values = new LinkedHashMap<>();
    /** Counts changes, so that a handler's grouping of a window is redone only after one. */
    long version;
    long watermark = Long.MIN_VALUE;
    boolean done;

    Side(boolean triggered, boolean sameWindowsAsMain, boolean global, Coder<BoundedWindow> windowCoder,
        Coder<Object> valueCoder) {
      this.triggered = triggered;
      this.sameWindowsAsMain = sameWindowsAsMain;
      this.global = global;
      this.windowCoder = windowCoder;
      this.valueCoder = valueCoder;
    }

    /** Whether it ended, its watermark, then each window: the window, its pane, its elements. */
    byte[] encode() throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeBoolean(done);
      out.writeLong(watermark);
      out.writeInt(values.size());
      for (Map.Entry<Object, List<Object>> window : values.entrySet()) {
        windowCoder.encode(windows.get(window.getKey()), out);
        out.writeLong(panes.get(window.getKey()));
        out.writeInt(window.getValue().size());
        for (Object value : window.getValue()) {
          valueCoder.encode(value, out);
        }
      }
      out.flush();
      return bytes.toByteArray();
    }

    void decode(byte[] encoded) throws IOException {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded));
      windows.clear();
      panes.clear();
      values.clear();
      version++;
      done = in.readBoolean();
      watermark = in.readLong();
      for (int w = in.readInt(); w > 0; w--) {
        BoundedWindow window = windowCoder.decode(in);
        Object key = windowCoder.structuralValue(window);
        windows.put(key, window);
        panes.put(key, in.readLong());
        List<Object> elements = new ArrayList<>();
        for (int v = in.readInt(); v > 0; v--) {
          elements.add(valueCoder.decode(in));
        }
        values.put(key, elements);
      }
    }

    boolean isReady(BoundedWindow mainWindow) {
      if (done) {
        return true;
      }
      BoundedWindow window = global ? GlobalWindow.INSTANCE : sameWindowsAsMain ? mainWindow : null;
      if (window == null) {
        // Which side window the main input reads is the SDK's to say (it may window the main input
        // within the stage): a triggered side input, read as it stands, is ready once it fired at all.
        return triggered && !panes.isEmpty();
      }
      return (triggered && panes.containsKey(windowCoder.structuralValue(window)))
          || watermark >= window.maxTimestamp().getMillis();
    }

    List<Object> valuesIn(BoundedWindow window) {
      return values.getOrDefault(windowCoder.structuralValue(window), List.of());
    }
  }

  private final List<Side> sides = new ArrayList<>();
  private final Map<String, Side> byCollection = new HashMap<>();
  /** The side inputs of the stage's transforms, by transform and local name. */
  private final Map<KV<String, String>, Side> byReference = new HashMap<>();

  @SuppressWarnings("unchecked")
  StageSideInputs(ExecutableStage stage, List<String> collections) {
    RunnerApi.Components components = stage.getComponents();
    RunnerApi.FunctionSpec mainWindowFn = windowFn(components, stage.getInputPCollection().getPCollection());
    for (String collection : collections) {
      RunnerApi.PCollection proto = components.getPcollectionsOrThrow(collection);
      RunnerApi.WindowingStrategy windowing =
          components.getWindowingStrategiesOrThrow(proto.getWindowingStrategyId());
      WindowedValues.FullWindowedValueCoder<Object> wireCoder;
      try {
        wireCoder = (WindowedValues.FullWindowedValueCoder<Object>) (Coder<?>)
            WireCoders.instantiateRunnerWireCoder(PipelineNode.pCollection(collection, proto), components);
      } catch (java.io.IOException e) {
        throw new IllegalStateException("the side input " + collection + "'s coder cannot be built", e);
      }
      Side side = new Side(!windowing.getTrigger().hasDefault(), windowing.getWindowFn().equals(mainWindowFn),
          windowing.getWindowFn().getUrn().equals(WindowingStrategyTranslation.GLOBAL_WINDOWS_URN),
          (Coder<BoundedWindow>) wireCoder.getWindowCoder(), wireCoder.getValueCoder());
      sides.add(side);
      byCollection.put(collection, side);
    }
    for (SideInputReference reference : stage.getSideInputs()) {
      byReference.put(KV.of(reference.transform().getId(), reference.localName()),
          byCollection.get(reference.collection().getId()));
    }
  }

  private static RunnerApi.FunctionSpec windowFn(RunnerApi.Components components, RunnerApi.PCollection collection) {
    return components.getWindowingStrategiesOrThrow(collection.getWindowingStrategyId()).getWindowFn();
  }

  /**
   * Adds an element of side input {@code index}; returns whether a window became readable (a
   * triggered side input's first pane of the window), so that waiting main input is worth a look.
   */
  boolean add(int index, WindowedValue<?> element) {
    Side side = sides.get(index);
    long pane = element.getPaneInfo().getIndex();
    boolean firstPane = side.panes.isEmpty();
    side.version++;
    for (BoundedWindow window : element.getWindows()) {
      Object key = side.windowCoder.structuralValue(window);
      Long current = side.panes.get(key);
      if (current == null || pane > current) {
        firstPane |= current == null;
        side.windows.put(key, window);
        side.panes.put(key, pane);
        side.values.put(key, new ArrayList<>());
      }
      if (pane == side.panes.get(key)) {
        side.values.get(key).add(element.getValue());
      }
    }
    return firstPane && side.triggered;
  }

  void watermark(int index, long watermark) {
    Side side = sides.get(index);
    side.watermark = Math.max(side.watermark, watermark);
  }

  void done(int index) {
    sides.get(index).done = true;
  }

  /** Writes every side input as it stands into {@code store}, which every subtask holds in full. */
  void snapshot(SortedByteStore store) throws IOException {
    store.deletePrefix(new byte[0]);
    for (int index = 0; index < sides.size(); index++) {
      store.put(ByteBuffer.allocate(4).putInt(index).array(), sides.get(index).encode());
    }
  }

  void restore(SortedByteStore store) throws IOException {
    for (int index = 0; index < sides.size(); index++) {
      byte[] encoded = store.get(ByteBuffer.allocate(4).putInt(index).array());
      if (encoded != null) {
        sides.get(index).decode(encoded);
      }
    }
  }

  /** Whether every side window {@code element}'s windows read is ready. */
  boolean isReady(WindowedValue<?> element) {
    for (Side side : sides) {
      if (side.done) {
        continue;
      }
      for (BoundedWindow window : element.getWindows()) {
        if (!side.isReady(window)) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <V, W extends BoundedWindow> IterableSideInputHandler<V, W> forIterableSideInput(
      String transformId, String localName, Coder<V> elementCoder, Coder<W> windowCoder) {
    Side side = side(transformId, localName);
    return new IterableSideInputHandler<>() {
      @Override
      public Iterable<V> get(W window) {
        return (List<V>) Collections.unmodifiableList(side.valuesIn(window));
      }

      @Override
      public Coder<V> elementCoder() {
        return elementCoder;
      }
    };
  }

  @Override
  @SuppressWarnings("unchecked")
  public <K, V, W extends BoundedWindow> MultimapSideInputHandler<K, V, W> forMultimapSideInput(
      String transformId, String localName, KvCoder<K, V> elementCoder, Coder<W> windowCoder) {
    Side side = side(transformId, localName);
    Coder<K> keyCoder = elementCoder.getKeyCoder();
    return new MultimapSideInputHandler<>() {
      /** The last window grouped, at which version of the side input: the harness asks key after key. */
      private Object groupedWindow;
      private long groupedVersion = -1;
      private Map<Object, KV<K, List<V>>> grouped;

      /** The window's elements by key, keys by structural value, in arrival order. */
      private Map<Object, KV<K, List<V>>> byKey(W window) {
        Object key = side.windowCoder.structuralValue(window);
        if (grouped != null && groupedVersion == side.version && key.equals(groupedWindow)) {
          return grouped;
        }
        grouped = new LinkedHashMap<>();
        for (Object element : side.valuesIn(window)) {
          KV<K, V> kv = (KV<K, V>) element;
          grouped.computeIfAbsent(keyCoder.structuralValue(kv.getKey()), k -> KV.of(kv.getKey(), new ArrayList<>()))
              .getValue().add(kv.getValue());
        }
        groupedWindow = key;
        groupedVersion = side.version;
        return grouped;
      }

      @Override
      public Iterable<V> get(K key, W window) {
        KV<K, List<V>> values = byKey(window).get(keyCoder.structuralValue(key));
        return values == null ? List.of() : values.getValue();
      }

      @Override
      public Iterable<K> get(W window) {
        List<K> keys = new ArrayList<>();
        byKey(window).values().forEach(kv -> keys.add(kv.getKey()));
        return keys;
      }

      @Override
      public Coder<V> valueCoder() {
        return elementCoder.getValueCoder();
      }

      @Override
      public Coder<K> keyCoder() {
        return keyCoder;
      }
    };
  }

  private Side side(String transformId, String localName) {
    Side side = byReference.get(KV.of(transformId, localName));
    if (side == null) {
      throw new IllegalArgumentException("no side input " + localName + " of transform " + transformId);
    }
    return side;
  }
}

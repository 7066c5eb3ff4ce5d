package io.sluice.translation.operators;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Collection;
import java.util.Collections;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CollectionCoder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.ExposedByteArrayInputStream;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;

/**
 * How a keyed batch operator keeps elements as bytes while it groups them. The full encoding keeps
 * everything (a stateful DoFn may read an element's pane); the grouping encoding keeps what a
 * GroupByKey uses, the value, its timestamp and its windows, and leaves out the windows when they
 * can only be the global one: decoding Beam's full windowed-value encoding dominated a large
 * GroupByKey.
 */
abstract class WindowedValueCodec<V> {

  abstract byte[] encode(WindowedValue<V> element) throws IOException;

  abstract WindowedValue<V> decode(byte[] bytes) throws IOException;

  static <V> WindowedValueCodec<V> full(Coder<V> valueCoder, WindowingStrategy<?, ?> windowing) {
    Coder<WindowedValue<V>> coder = WindowedValues.getFullCoder(valueCoder, windowing.getWindowFn().windowCoder());
    return new WindowedValueCodec<V>() {
      @Override
      byte[] encode(WindowedValue<V> element) throws IOException {
        return CoderUtils.encodeToByteArray(coder, element);
      }

      @Override
      WindowedValue<V> decode(byte[] bytes) throws IOException {
        return CoderUtils.decodeFromByteArray(coder, bytes);
      }
    };
  }

  /** Value, timestamp and windows: the pane of a GroupByKey's input never reaches its output. */
  @SuppressWarnings("unchecked")
  static <V> WindowedValueCodec<V> forGrouping(Coder<V> valueCoder, WindowingStrategy<?, ?> windowing) {
    boolean global = windowing.getWindowFn() instanceof GlobalWindows;
    Coder<Collection<BoundedWindow>> windowsCoder =
        CollectionCoder.of((Coder<BoundedWindow>) windowing.getWindowFn().windowCoder());
    return new Grouping<>(valueCoder, global ? null : windowsCoder);
  }

  private static final class Grouping<V> extends WindowedValueCodec<V> {
    private final Coder<V> valueCoder;
    private final Coder<Collection<BoundedWindow>> windowsCoder;
    private final Buffer out = new Buffer();
    private final byte[] timestampBytes = new byte[8];

    Grouping(Coder<V> valueCoder, Coder<Collection<BoundedWindow>> windowsCoder) {
      this.valueCoder = valueCoder;
      this.windowsCoder = windowsCoder;
    }

    @Override
    @SuppressWarnings("unchecked")
    byte[] encode(WindowedValue<V> element) throws IOException {
      out.reset();
      long timestamp = element.getTimestamp().getMillis();
      for (int i = 0; i < 8; i++) {
        timestampBytes[i] = (byte) (timestamp >>> (56 - 8 * i));
      }
      out.write(timestampBytes, 0, 8);
      if (windowsCoder != null) {
        windowsCoder.encode((Collection<BoundedWindow>) element.getWindows(), out);
      }
      valueCoder.encode(element.getValue(), out, Coder.Context.OUTER);
      return out.toByteArray();
    }

    @Override
    WindowedValue<V> decode(byte[] bytes) throws IOException {
      long timestamp = 0;
      for (int i = 0; i < 8; i++) {
        timestamp = (timestamp << 8) | (bytes[i] & 0xff);
      }
      // Beam's coders read an outer-context value in one go from this stream type.
      ExposedByteArrayInputStream in = new ExposedByteArrayInputStream(bytes);
      in.skip(8);
      Collection<? extends BoundedWindow> windows =
          windowsCoder == null ? Collections.singletonList(GlobalWindow.INSTANCE) : windowsCoder.decode(in);
      V value = valueCoder.decode(in, Coder.Context.OUTER);
      return WindowedValues.of(value, new org.joda.time.Instant(timestamp), windows, PaneInfo.NO_FIRING);
    }
  }

  /** A reusable output buffer. */
  private static final class Buffer extends ByteArrayOutputStream {
    Buffer() {
      super(128);
    }
  }
}

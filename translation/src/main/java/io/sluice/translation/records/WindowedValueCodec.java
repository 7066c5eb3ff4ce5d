package io.sluice.translation.records;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.Collection;
import java.util.Collections;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CollectionCoder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowedValues;
import org.apache.beam.sdk.values.WindowingStrategy;
import org.joda.time.Instant;

/**
 * How an element is kept as bytes when it crosses to another stage or waits in an operator's
 * buffer. The full encoding keeps everything (a stateful DoFn may read an element's pane); the
 * grouping encoding keeps what a GroupByKey uses, the value, its timestamp and its windows, and
 * leaves out the windows when they can only be the global one: decoding Beam's full windowed-value
 * encoding dominated a large GroupByKey.
 */
public abstract class WindowedValueCodec<V> implements Serializable {

  public abstract void encode(WindowedValue<V> element, OutputStream out) throws IOException;

  public abstract WindowedValue<V> decode(byte[] bytes, int offset, int length) throws IOException;

  /** Beam's full windowed-value coder: value, timestamp, windows and pane. */
  public static <V> WindowedValueCodec<V> full(Coder<V> valueCoder, WindowingStrategy<?, ?> windowing) {
    Coder<WindowedValue<V>> coder = WindowedValues.getFullCoder(valueCoder, windowing.getWindowFn().windowCoder());
    return new WindowedValueCodec<V>() {
      @Override
      public void encode(WindowedValue<V> element, OutputStream out) throws IOException {
        coder.encode(element, out);
      }

      @Override
      public WindowedValue<V> decode(byte[] bytes, int offset, int length) throws IOException {
        return coder.decode(CoderBytes.reader(bytes, offset, length));
      }
    };
  }

  /**
   * Everything of elements whose value is a {@code KV} but the key, which travels apart, encoded:
   * decoding gives the KV's value, with its timestamp, windows and pane.
   */
  @SuppressWarnings("unchecked")
  public static <V> WindowedValueCodec<V> keyedValues(Coder<V> valueCoder, WindowingStrategy<?, ?> windowing) {
    WindowedValueCodec<V> full = full(valueCoder, windowing);
    return new WindowedValueCodec<V>() {
      @Override
      public void encode(WindowedValue<V> element, OutputStream out) throws IOException {
        Object kv = element.getValue();
        full.encode(element.withValue(((KV<?, V>) kv).getValue()), out);
      }

      @Override
      public WindowedValue<V> decode(byte[] bytes, int offset, int length) throws IOException {
        return full.decode(bytes, offset, length);
      }
    };
  }

  /**
   * Value, timestamp and windows of elements whose value is a {@code KV}: the key travels apart,
   * encoded, and the pane of a GroupByKey's input never reaches its output. Decoding gives the KV's
   * value alone.
   */
  @SuppressWarnings("unchecked")
  public static <V> Grouping<V> forGrouping(Coder<V> valueCoder, WindowingStrategy<?, ?> windowing) {
    boolean global = windowing.getWindowFn() instanceof GlobalWindows;
    Coder<Collection<BoundedWindow>> windowsCoder =
        CollectionCoder.of((Coder<BoundedWindow>) windowing.getWindowFn().windowCoder());
    return new Grouping<>(valueCoder, global ? null : windowsCoder);
  }

  /** The grouping encoding: 8 bytes of timestamp, the windows unless global, the value. */
  public static final class Grouping<V> extends WindowedValueCodec<V> {
    private static final Collection<? extends BoundedWindow> GLOBAL = Collections.singletonList(GlobalWindow.INSTANCE);

    private final Coder<V> valueCoder;
    private final Coder<Collection<BoundedWindow>> windowsCoder;

    Grouping(Coder<V> valueCoder, Coder<Collection<BoundedWindow>> windowsCoder) {
      this.valueCoder = valueCoder;
      this.windowsCoder = windowsCoder;
    }

    /** Encodes a {@code KV}-valued element's value (the declared type is the decoded one). */
    @Override
    @SuppressWarnings("unchecked")
    public void encode(WindowedValue<V> element, OutputStream out) throws IOException {
      long timestamp = element.getTimestamp().getMillis();
      for (int i = 0; i < 8; i++) {
        out.write((int) (timestamp >>> (56 - 8 * i)));
      }
      if (windowsCoder != null) {
        windowsCoder.encode((Collection<BoundedWindow>) element.getWindows(), out);
      }
      Object value = element.getValue();
      valueCoder.encode(((KV<?, V>) value).getValue(), out, Coder.Context.OUTER);
    }

    @Override
    public WindowedValue<V> decode(byte[] bytes, int offset, int length) throws IOException {
      InputStream in = CoderBytes.reader(bytes, offset + 8, length - 8);
      Collection<? extends BoundedWindow> windows = windowsCoder == null ? GLOBAL : windowsCoder.decode(in);
      V value = valueCoder.decode(in, Coder.Context.OUTER);
      return WindowedValues.of(value, timestamp(bytes, offset), windows, PaneInfo.NO_FIRING);
    }

    /** The element's timestamp, read without decoding the rest. */
    public Instant timestamp(byte[] bytes, int offset) {
      long timestamp = 0;
      for (int i = 0; i < 8; i++) {
        timestamp = (timestamp << 8) | (bytes[offset + i] & 0xff);
      }
      return new Instant(timestamp);
    }

    /** The element's windows, read without decoding its value. */
    public Collection<? extends BoundedWindow> windows(byte[] bytes, int offset, int length) throws IOException {
      return windowsCoder == null ? GLOBAL : windowsCoder.decode(CoderBytes.reader(bytes, offset + 8, length - 8));
    }
  }
}

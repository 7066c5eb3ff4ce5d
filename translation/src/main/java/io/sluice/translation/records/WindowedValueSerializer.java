package io.sluice.translation.records;

import io.sluice.execution.channel.RecordSerializer;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.WindowedValue;
import org.apache.beam.sdk.values.WindowingStrategy;

/** Carries a PCollection's elements over an edge with the PCollection's own coder and window coder. */
public final class WindowedValueSerializer implements RecordSerializer {

  private final WindowedValueCodec<Object> codec;

  private WindowedValueSerializer(WindowedValueCodec<Object> codec) {
    this.codec = codec;
  }

  public static WindowedValueSerializer of(PCollection<?> elements) {
    return of(elements.getCoder(), elements.getWindowingStrategy());
  }

  @SuppressWarnings("unchecked")
  public static WindowedValueSerializer of(Coder<?> coder, WindowingStrategy<?, ?> windowing) {
    return new WindowedValueSerializer(WindowedValueCodec.full((Coder<Object>) coder, windowing));
  }

  @Override
  @SuppressWarnings("unchecked")
  public void write(Object record, OutputStream out) throws IOException {
    codec.encode((WindowedValue<Object>) record, out);
  }

  @Override
  public Object read(byte[] bytes, int offset, int length) throws IOException {
    return codec.decode(bytes, offset, length);
  }
}

package io.sluice.portability.operators;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;

/**
 * A key coder whose every encoding is the nested one. A harness names a key of user state or a
 * timer by its nested encoding; the runner encodes keys in the outer context for its edges and
 * state (strings then carry no length). Keying a stateful stage's input with this coder makes the
 * bytes the engine partitions and stores by the very bytes the harness sends.
 */
public final class NestedKeyCoder<K> extends CustomCoder<K> {

  private final Coder<K> keyCoder;

  public NestedKeyCoder(Coder<K> keyCoder) {
    this.keyCoder = keyCoder;
  }

  @Override
  public void encode(K value, OutputStream out) throws IOException {
    keyCoder.encode(value, out);
  }

  @Override
  @SuppressWarnings("deprecation")
  public void encode(K value, OutputStream out, Context context) throws IOException {
    keyCoder.encode(value, out);
  }

  @Override
  public K decode(InputStream in) throws IOException {
    return keyCoder.decode(in);
  }

  @Override
  @SuppressWarnings("deprecation")
  public K decode(InputStream in, Context context) throws IOException {
    return keyCoder.decode(in);
  }

  @Override
  public List<? extends Coder<?>> getCoderArguments() {
    return List.of(keyCoder);
  }

  @Override
  public void verifyDeterministic() throws NonDeterministicException {
    keyCoder.verifyDeterministic();
  }
}

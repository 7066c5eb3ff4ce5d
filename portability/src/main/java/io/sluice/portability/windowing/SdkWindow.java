package io.sluice.portability.windowing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.InstantCoder;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/**
 * A window only its SDK can read: the runner holds its encoding, compared byte for byte, and the
 * end the SDK wrote before it (Beam's {@code beam:coder:custom_window:v1}), which is all the runner
 * needs of a window it neither assigns nor merges.
 */
public final class SdkWindow extends BoundedWindow {

  private final Instant maxTimestamp;
  private final byte[] encoded;

  SdkWindow(Instant maxTimestamp, byte[] encoded) {
    this.maxTimestamp = maxTimestamp;
    this.encoded = encoded;
  }

  @Override
  public Instant maxTimestamp() {
    return maxTimestamp;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SdkWindow window && window.maxTimestamp.equals(maxTimestamp)
        && Arrays.equals(window.encoded, encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "SdkWindow[ending " + maxTimestamp + ", " + encoded.length + " bytes]";
  }

  /**
   * The bytes of {@code beam:coder:custom_window:v1} over a length-prefixed SDK coder: the window's
   * end, then its encoding with its length.
   */
  public static final class Coder extends AtomicCoder<SdkWindow> {

    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    private Coder() {}

    @Override
    public void encode(SdkWindow window, OutputStream out) throws IOException {
      InstantCoder.of().encode(window.maxTimestamp, out);
      ByteArrayCoder.of().encode(window.encoded, out);
    }

    @Override
    public SdkWindow decode(InputStream in) throws IOException {
      return new SdkWindow(InstantCoder.of().decode(in), ByteArrayCoder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}

    @Override
    public boolean consistentWithEquals() {
      return true;
    }
  }
}

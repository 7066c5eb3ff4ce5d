package io.sluice.execution.net;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret every process of one Sluice cluster knows: connections prove knowledge of it with
 * HMAC-SHA256 over fresh nonces, so the secret itself never crosses the wire. Never logged.
 */
public final class SharedSecret {

  /** Shorter secrets are refused: a guessable secret would make the handshake a formality. */
  public static final int MIN_BYTES = 16;

  private final byte[] key;

  private SharedSecret(byte[] key) {
    if (key.length < MIN_BYTES) {
      throw new IllegalArgumentException("a cluster secret must have at least " + MIN_BYTES + " bytes, got " + key.length);
    }
    this.key = key.clone();
  }

  /** A secret given as text (a flag, a file, a Kubernetes Secret): its UTF-8 bytes, surrounding whitespace removed. */
  public static SharedSecret ofText(String text) {
    return new SharedSecret(text.strip().getBytes(StandardCharsets.UTF_8));
  }

  /** A random secret (64 hex digits), for a cluster that lives and dies with one process tree (a local cluster). */
  public static SharedSecret random() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return ofText(HexFormat.of().formatHex(bytes));
  }

  /**
   * The secret as the text {@link #ofText} reads back, to hand to a child process through its
   * environment (never its command line, which other users of the machine can list).
   */
  public String reveal() {
    return new String(key, StandardCharsets.UTF_8);
  }

  /** HMAC-SHA256 of the parts, one after another. */
  byte[] mac(byte[]... parts) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      for (byte[] part : parts) {
        mac.update(part);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SharedSecret && Arrays.equals(((SharedSecret) o).key, key);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(key);
  }

  @Override
  public String toString() {
    return "SharedSecret[redacted]";
  }
}

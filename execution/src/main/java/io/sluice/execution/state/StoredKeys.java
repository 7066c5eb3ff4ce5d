package io.sluice.execution.state;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The form under which a key is stored. Every state access and every timer repeats the key in its
 * store key, so a key of megabytes would be copied megabytes at a time: a key longer than {@link
 * #MAX_INLINE} bytes is stored as a marker byte and its SHA-256 instead (whoever needs the key
 * itself keeps it once, beside the state). Key groups are those of the stored form.
 */
public final class StoredKeys {

  public static final int MAX_INLINE = 256;
  private static final byte DIGEST_MARKER = (byte) 0xD5;
  private static final int DIGEST_FORM_LENGTH = 33;

  private StoredKeys() {}

  public static byte[] of(byte[] key) {
    if (key.length <= MAX_INLINE) {
      return key;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
      byte[] stored = new byte[DIGEST_FORM_LENGTH];
      stored[0] = DIGEST_MARKER;
      System.arraycopy(digest, 0, stored, 1, digest.length);
      return stored;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * Whether {@code stored} may be a digest rather than the key itself. A short key of exactly this
   * shape is possible: callers that find no key kept for it take it as the key.
   */
  public static boolean mayBeDigest(byte[] stored) {
    return stored.length == DIGEST_FORM_LENGTH && stored[0] == DIGEST_MARKER;
  }
}

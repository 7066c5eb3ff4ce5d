package io.sluice.execution.state;

/** Turns "keys starting with a prefix" into a key range, for stores that only know ranges. */
final class Prefixes {

  private Prefixes() {}

  /**
   * The smallest key greater than every key starting with {@code prefix}, or null when there is
   * none: a prefix that is empty or all 0xFF bytes extends to the end of the key space.
   */
  static byte[] successor(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xff) {
        byte[] end = java.util.Arrays.copyOf(prefix, i + 1);
        end[i]++;
        return end;
      }
    }
    return null;
  }
}

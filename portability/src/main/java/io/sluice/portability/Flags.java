package io.sluice.portability;

import java.util.HashMap;
import java.util.Map;

/** Command-line flags of the module's mains, each {@code --name=value}. */
public final class Flags {

  private Flags() {}

  /** The flags by name; anything not of the form {@code --name=value} is refused, named. */
  public static Map<String, String> parse(String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("flags are --name=value, not " + arg);
      }
      flags.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
    }
    return flags;
  }
}

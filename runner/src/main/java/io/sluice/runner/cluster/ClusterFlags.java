package io.sluice.runner.cluster;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The flags of {@code sluice coordinator} and {@code sluice worker}: {@code --name=value}, or the
 * same names in a properties file given with {@code --config=FILE} (flags win). An unknown name or
 * a missing value is refused, naming it.
 */
final class ClusterFlags {

  private final String command;
  private final Map<String, String> values;

  private ClusterFlags(String command, Map<String, String> values) {
    this.command = command;
    this.values = values;
  }

  static ClusterFlags parse(String command, String[] args, int from, Set<String> known) throws IOException {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      int eq = a.indexOf('=');
      if (!a.startsWith("--") || eq < 3) {
        throw new IllegalArgumentException("sluice " + command + ": expected --name=value, got '" + a + "'");
      }
      flags.put(a.substring(2, eq), a.substring(eq + 1));
    }
    Map<String, String> values = new LinkedHashMap<>();
    String config = flags.remove("config");
    if (config != null) {
      Properties file = new Properties();
      try (Reader r = Files.newBufferedReader(Path.of(config))) {
        file.load(r);
      }
      file.stringPropertyNames().forEach(n -> values.put(n, file.getProperty(n).trim()));
    }
    values.putAll(flags);
    for (String name : values.keySet()) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("sluice " + command + ": unknown flag --" + name + " (known: --config, --"
            + String.join(", --", known) + ")");
      }
    }
    return new ClusterFlags(command, values);
  }

  String string(String name, String otherwise) {
    return values.getOrDefault(name, otherwise);
  }

  String required(String name) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException("sluice " + command + " needs --" + name);
    }
    return v;
  }

  int integer(String name, int otherwise, int min) {
    String v = values.get(name);
    if (v == null) {
      return otherwise;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min) {
        throw new IllegalArgumentException("sluice " + command + ": --" + name + " must be at least " + min
            + ", got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("sluice " + command + ": --" + name + " must be a number, got '" + v + "'");
    }
  }

  /** A duration in milliseconds, or with a unit: 500ms, 5s, 2m. */
  Duration duration(String name, Duration otherwise) {
    String v = values.get(name);
    if (v == null) {
      return otherwise;
    }
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      } else if (v.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      } else if (v.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      }
      return Duration.ofMillis(Long.parseLong(v));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("sluice " + command + ": --" + name + " must be a duration (500ms, 5s, 2m),"
          + " got '" + v + "'");
    }
  }
}

package io.sluice.validatesrunner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checked-in list of tests SluiceRunner is not expected to pass. Format, one entry a line:
 *
 * <pre>
 * # comment
 * &lt;category or org.apache.beam...Class#method&gt; | batch,streaming | reason
 * </pre>
 *
 * <p>Every entry must give a reason, so that each skipped test stays explained.
 */
public final class Exclusions {

  private static final Pattern CATEGORY =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\$[A-Za-z0-9_]+)*");
  private static final Pattern TEST =
      Pattern.compile(
          "([a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_]*(\\$[A-Za-z0-9_]+)*#[A-Za-z_][A-Za-z0-9_]*");

  private final List<Exclusion> entries;

  private Exclusions(List<Exclusion> entries) {
    this.entries = List.copyOf(entries);
  }

  public static Exclusions load(Path file) {
    try {
      return parse(Files.readAllLines(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read exclusions from " + file.toAbsolutePath(), e);
    }
  }

  /**
   * @throws IllegalArgumentException naming {@code source} and the line of the first bad entry
   */
  /** Entries of Python's ValidatesRunner tests begin so: not this harness's. */
  static final String PYTHON_PREFIX = "python:";

  public static Exclusions parse(List<String> lines, String source) {
    List<Exclusion> entries = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(PYTHON_PREFIX)) {
        // Python's suite reads its own entries (portability's PythonValidatesRunnerTest).
        continue;
      }
      Exclusion entry = parseLine(line, i + 1, source);
      for (RunMode mode : entry.modes()) {
        if (!seen.add(entry.target() + " " + mode)) {
          throw error(
              source, i + 1, entry.target() + " is excluded twice in " + mode.label() + " mode");
        }
      }
      entries.add(entry);
    }
    return new Exclusions(entries);
  }

  private static Exclusion parseLine(String line, int lineNumber, String source) {
    // The reason is free text, so only the first two bars separate fields.
    String[] fields = line.split("\\|", 3);
    if (fields.length < 3 || fields[2].isBlank()) {
      throw error(
          source,
          lineNumber,
          "expected '<target> | <modes> | <reason>', the reason is mandatory: " + line);
    }
    String target = fields[0].strip();
    if (!CATEGORY.matcher(target).matches() && !TEST.matcher(target).matches()) {
      throw error(
          source,
          lineNumber,
          "'"
              + target
              + "' is neither a category name (e.g. UsesTestStream, LargeKeys$Above100MB)"
              + " nor a test (org.apache.beam.sdk.SomeTest#method)");
    }
    Set<RunMode> modes = EnumSet.noneOf(RunMode.class);
    for (String mode : fields[1].split(",")) {
      RunMode parsed;
      try {
        parsed = RunMode.fromLabel(mode);
      } catch (IllegalArgumentException e) {
        throw error(source, lineNumber, e.getMessage());
      }
      if (parsed == RunMode.CHECKPOINTED) {
        throw error(source, lineNumber, "checkpointed runs take the exclusions of streaming mode and no others");
      }
      modes.add(parsed);
    }
    return new Exclusion(target, modes, fields[2].strip(), lineNumber);
  }

  private static IllegalArgumentException error(String source, int line, String message) {
    return new IllegalArgumentException(source + ":" + line + ": " + message);
  }

  public List<Exclusion> entries() {
    return entries;
  }

  /** The first entry that skips {@code method} in {@code mode}, in file order. */
  public Optional<Exclusion> find(VrTestMethod method, RunMode mode) {
    return entries.stream().filter(entry -> entry.appliesTo(method, mode)).findFirst();
  }

  /**
   * Entries that match none of {@code discovered} in any mode: a typo or a test Beam removed, which
   * would otherwise silently exclude nothing.
   */
  public List<Exclusion> matchingNothing(Collection<VrTestMethod> discovered) {
    return entries.stream()
        .filter(
            entry ->
                discovered.stream()
                    .noneMatch(
                        m -> entry.modes().stream().anyMatch(mode -> entry.appliesTo(m, mode))))
        .toList();
  }
}

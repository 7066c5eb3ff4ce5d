package io.sluice.runner.cluster;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

/**
 * What a job submitted to a cluster takes along for the workers' class path: the files the user
 * names ({@code --filesToStage}), else the job's class path as detected, with the entries of a
 * manifest-only jar (as test runners use) read out of it, and each directory packed into a jar of
 * its own.
 */
final class StagedJars {

  /** Directories packed so far, by path and the newest time in them: derived, for this JVM's life. */
  private static final Map<String, Path> PACKED = new ConcurrentHashMap<>();

  private StagedJars() {}

  /**
   * The jars of {@code entries}; if {@code named} (the user's list), an entry that does not exist
   * is refused, else passed over.
   */
  static List<Path> of(List<String> entries, boolean named) throws IOException {
    Set<Path> files = new LinkedHashSet<>();
    for (String e : entries) {
      if (e.isEmpty()) {
        continue;
      }
      Path p = Paths.get(e).toAbsolutePath();
      if (!Files.exists(p)) {
        if (named) {
          throw new IllegalArgumentException("--filesToStage names " + e + ", which does not exist");
        }
        continue;
      }
      expand(p, files);
    }
    List<Path> jars = new ArrayList<>();
    for (Path p : files) {
      jars.add(Files.isDirectory(p) ? pack(p) : p);
    }
    return jars;
  }

  private static void expand(Path p, Set<Path> into) throws IOException {
    if (!into.add(p) || Files.isDirectory(p) || !p.toString().endsWith(".jar")) {
      return;
    }
    String classPath;
    try (JarFile jar = new JarFile(p.toFile())) {
      Manifest m = jar.getManifest();
      classPath = m == null ? null : m.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
    }
    if (classPath == null) {
      return;
    }
    for (String entry : classPath.trim().split("\\s+")) {
      Path q;
      try {
        // Class-Path entries are URLs relative to the jar.
        q = Paths.get(p.getParent().toUri().resolve(entry));
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (Files.exists(q)) {
        expand(q.toAbsolutePath(), into);
      }
    }
  }

  private static Path pack(Path directory) throws IOException {
    long newest;
    try (Stream<Path> walk = Files.walk(directory)) {
      newest = walk.mapToLong(f -> f.toFile().lastModified()).max().orElse(0);
    }
    String key = directory + "@" + newest;
    Path packed = PACKED.get(key);
    if (packed != null && Files.exists(packed)) {
      return packed;
    }
    Path jar = Files.createTempFile("sluice-staged-", ".jar");
    jar.toFile().deleteOnExit();
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out);
        Stream<Path> walk = Files.walk(directory)) {
      for (Path f : (Iterable<Path>) walk.sorted()::iterator) {
        if (Files.isRegularFile(f)) {
          ZipEntry entry = new ZipEntry(directory.relativize(f).toString().replace(File.separatorChar, '/'));
          // A fixed time: the same classes make the same jar, so the cluster keeps one copy.
          entry.setTime(0);
          zip.putNextEntry(entry);
          Files.copy(f, zip);
          zip.closeEntry();
        }
      }
    }
    PACKED.put(key, jar);
    return jar;
  }
}

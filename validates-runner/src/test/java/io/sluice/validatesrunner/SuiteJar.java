package io.sluice.validatesrunner;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * The Beam tests jars that hold the ValidatesRunner suite. Each is found through a class it is
 * known to contain, so the harness scans exactly the jar Maven resolved, wherever it lives.
 */
public enum SuiteJar {
  SDK_CORE("beam-sdks-java-core tests", "org.apache.beam.sdk.transforms.ParDoTest", 407),
  RUNNERS_CORE(
      "beam-runners-core-java tests", "org.apache.beam.runners.core.metrics.MetricsPusherTest", 4);

  private final String label;
  private final String markerClass;
  private final int expectedMethods;

  SuiteJar(String label, String markerClass, int expectedMethods) {
    this.label = label;
    this.markerClass = markerClass;
    this.expectedMethods = expectedMethods;
  }

  public String label() {
    return label;
  }

  /** How many ValidatesRunner methods Beam 2.70.0 ships in this jar; finding fewer means a bug. */
  public int expectedMethods() {
    return expectedMethods;
  }

  public Path locate(ClassLoader loader) {
    Class<?> marker;
    try {
      marker = Class.forName(markerClass, false, loader);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(label + " is not on the class path (" + markerClass + ")", e);
    }
    CodeSource source = marker.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      throw new IllegalStateException("Cannot tell which jar " + markerClass + " came from");
    }
    Path jar;
    try {
      jar = Path.of(source.getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Unusable location of " + markerClass, e);
    }
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(markerClass + " was not loaded from a jar but from " + jar);
    }
    return jar;
  }
}

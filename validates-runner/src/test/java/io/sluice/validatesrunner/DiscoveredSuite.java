package io.sluice.validatesrunner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What discovery found: the ValidatesRunner methods of each scanned jar, and the classes of those
 * jars that could not be loaded (each one could hide tests, so they are reported, not dropped).
 */
public record DiscoveredSuite(
    Map<SuiteJar, List<VrTestMethod>> methodsByJar, List<String> unloadableClasses) {

  public DiscoveredSuite {
    methodsByJar = Map.copyOf(methodsByJar);
    unloadableClasses = List.copyOf(unloadableClasses);
  }

  /** All methods, in jar order then in the order discovery met them. */
  public List<VrTestMethod> methods() {
    List<VrTestMethod> all = new ArrayList<>();
    for (SuiteJar jar : SuiteJar.values()) {
      all.addAll(methodsByJar.getOrDefault(jar, List.of()));
    }
    return all;
  }

  /** One line per jar in which fewer methods were found than Beam ships. */
  public List<String> shortfalls() {
    List<String> shortfalls = new ArrayList<>();
    methodsByJar.forEach(
        (jar, methods) -> {
          if (methods.size() < jar.expectedMethods()) {
            shortfalls.add(
                jar.label()
                    + ": found "
                    + methods.size()
                    + " methods, expected "
                    + jar.expectedMethods());
          }
        });
    return shortfalls;
  }
}

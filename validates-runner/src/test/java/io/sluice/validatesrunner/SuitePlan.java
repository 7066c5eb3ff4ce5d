package io.sluice.validatesrunner;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run will do: the discovered methods, the exclusion entries of this mode and the methods
 * they exclude (each with the first entry that matches it), and the remaining methods the selection
 * picks and the mode covers, in discovery order.
 */
public record SuitePlan(
    RunMode mode,
    TestSelection selection,
    List<VrTestMethod> discovered,
    List<Exclusion> exclusions,
    Map<VrTestMethod, Exclusion> excluded,
    List<VrTestMethod> toRun) {

  public SuitePlan {
    discovered = List.copyOf(discovered);
    exclusions = List.copyOf(exclusions);
    excluded = Map.copyOf(excluded);
    toRun = List.copyOf(toRun);
  }

  public static SuitePlan of(
      List<VrTestMethod> discovered, Exclusions exclusions, RunMode mode, TestSelection selection) {
    Map<VrTestMethod, Exclusion> excluded = new LinkedHashMap<>();
    for (VrTestMethod method : discovered) {
      exclusions.find(method, mode).ifPresent(exclusion -> excluded.put(method, exclusion));
    }
    List<VrTestMethod> toRun =
        discovered.stream()
            .filter(method -> !excluded.containsKey(method) && selection.selects(method) && mode.covers(method))
            .toList();
    List<Exclusion> inThisMode =
        exclusions.entries().stream().filter(entry -> entry.modes().contains(mode.exclusionMode()) || entry.modes().contains(mode)).toList();
    return new SuitePlan(mode, selection, discovered, inThisMode, excluded, toRun);
  }
}

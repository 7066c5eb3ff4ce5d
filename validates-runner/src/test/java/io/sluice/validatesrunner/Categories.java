package io.sluice.validatesrunner;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.experimental.categories.Category;

/**
 * JUnit 4 category helpers: Beam's categories extend each other, so a tag implies its supertypes.
 */
public final class Categories {

  /** Binary name of Beam's marker category, compared by name so no class loader can fool us. */
  public static final String VALIDATES_RUNNER = "org.apache.beam.sdk.testing.ValidatesRunner";

  public static final Comparator<Class<?>> BY_NAME =
      Comparator.comparing(Categories::nameWithoutPackage);

  private Categories() {}

  /** The categories named by the annotation (which may be absent) plus all their supertypes. */
  public static Set<Class<?>> expand(Category category) {
    Set<Class<?>> expanded = new LinkedHashSet<>();
    if (category == null) {
      return expanded;
    }
    Deque<Class<?>> toVisit = new ArrayDeque<>(List.of(category.value()));
    while (!toVisit.isEmpty()) {
      Class<?> next = toVisit.pop();
      if (next == Object.class || !expanded.add(next)) {
        continue;
      }
      toVisit.addAll(List.of(next.getInterfaces()));
      if (next.getSuperclass() != null) {
        toVisit.add(next.getSuperclass());
      }
    }
    return expanded;
  }

  public static boolean includesValidatesRunner(Set<Class<?>> categories) {
    return categories.stream().anyMatch(c -> c.getName().equals(VALIDATES_RUNNER));
  }

  /**
   * The name exclusions and reports use: the binary name minus the package, so nested categories
   * read {@code LargeKeys$Above100MB}.
   */
  public static String nameWithoutPackage(Class<?> type) {
    String packageName = type.getPackageName();
    return packageName.isEmpty()
        ? type.getName()
        : type.getName().substring(packageName.length() + 1);
  }
}

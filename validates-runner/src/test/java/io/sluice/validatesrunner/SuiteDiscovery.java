package io.sluice.validatesrunner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.Ignore;
import org.junit.Test;
import org.junit.experimental.categories.Category;

/**
 * Finds the ValidatesRunner test methods of Beam's tests jars by reading the jars' entries, so
 * nested classes such as {@code ParDoTest$TimerTests} are found too (surefire's class-file scanning
 * would skip them).
 */
public final class SuiteDiscovery {

  private final ClassLoader loader;

  public SuiteDiscovery(ClassLoader loader) {
    this.loader = loader;
  }

  public static SuiteDiscovery usingContextClassLoader() {
    return new SuiteDiscovery(Thread.currentThread().getContextClassLoader());
  }

  public DiscoveredSuite discover() {
    Map<SuiteJar, List<VrTestMethod>> methodsByJar = new EnumMap<>(SuiteJar.class);
    List<String> unloadable = new ArrayList<>();
    for (SuiteJar jar : SuiteJar.values()) {
      methodsByJar.put(jar, scan(jar.locate(loader), unloadable));
    }
    return new DiscoveredSuite(methodsByJar, unloadable);
  }

  private List<VrTestMethod> scan(Path jarPath, List<String> unloadable) {
    List<VrTestMethod> found = new ArrayList<>();
    try (JarFile jar = new JarFile(jarPath.toFile())) {
      List<String> classNames =
          jar.stream()
              .map(JarEntry::getName)
              .filter(name -> name.endsWith(".class") && !name.endsWith("-info.class"))
              .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
              .sorted()
              .toList();
      for (String className : classNames) {
        try {
          // Not initialized: static initializers of test classes may start things we do not want.
          found.addAll(validatesRunnerMethods(Class.forName(className, false, loader)));
        } catch (ClassNotFoundException | LinkageError | TypeNotPresentException e) {
          unloadable.add(className + ": " + e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + jarPath, e);
    }
    return found;
  }

  /**
   * The methods JUnit 4 would run in {@code testClass} (inherited ones included, overridden ones
   * once) whose method and class categories, with supertypes, include ValidatesRunner.
   */
  static List<VrTestMethod> validatesRunnerMethods(Class<?> testClass) {
    if (!isRunnableTestClass(testClass)) {
      return List.of();
    }
    // @Category is @Inherited, so a subclass of a categorized base counts like JUnit counts it.
    Set<Class<?>> classCategories = Categories.expand(testClass.getAnnotation(Category.class));
    List<VrTestMethod> methods = new ArrayList<>();
    for (Method method : testMethods(testClass)) {
      if (!Modifier.isPublic(method.getModifiers()) || method.isAnnotationPresent(Ignore.class)) {
        continue;
      }
      Set<Class<?>> categories = new LinkedHashSet<>(classCategories);
      categories.addAll(Categories.expand(method.getAnnotation(Category.class)));
      if (Categories.includesValidatesRunner(categories)) {
        methods.add(new VrTestMethod(testClass, method.getName(), categories));
      }
    }
    return methods;
  }

  private static boolean isRunnableTestClass(Class<?> type) {
    int modifiers = type.getModifiers();
    return !type.isInterface()
        && !type.isAnnotation()
        && !type.isEnum()
        && !Modifier.isAbstract(modifiers)
        && Modifier.isPublic(modifiers)
        && (!type.isMemberClass() || Modifier.isStatic(modifiers))
        && !type.isAnnotationPresent(Ignore.class);
  }

  /**
   * The @Test methods JUnit 4 runs for {@code testClass}: declared or inherited, a method
   * overridden in a subclass counted once. (JUnit's own TestClass would do this but refuses classes
   * with several constructors, which the jars' helper classes often have.)
   */
  private static List<Method> testMethods(Class<?> testClass) {
    List<Method> methods = new ArrayList<>();
    for (Class<?> type = testClass;
        type != null && type != Object.class;
        type = type.getSuperclass()) {
      Method[] declared = type.getDeclaredMethods();
      Arrays.sort(declared, Comparator.comparing(Method::getName));
      for (Method method : declared) {
        if (method.isAnnotationPresent(Test.class)
            && methods.stream().noneMatch(known -> overrides(known, method))) {
          methods.add(method);
        }
      }
    }
    return methods;
  }

  private static boolean overrides(Method subclassMethod, Method superclassMethod) {
    return subclassMethod.getName().equals(superclassMethod.getName())
        && Arrays.equals(subclassMethod.getParameterTypes(), superclassMethod.getParameterTypes());
  }
}

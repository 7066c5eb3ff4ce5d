package io.sluice.execution.runtime;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Test support: which operator instances were opened and closed, as "operator#subtask". */
final class LifeCycle {
  final Set<String> opened = ConcurrentHashMap.newKeySet();
  final Set<String> closed = ConcurrentHashMap.newKeySet();
  final AtomicInteger closeCalls = new AtomicInteger();
  /** Records that sinks saw. */
  final AtomicLong received = new AtomicLong();

  /** The ids of every subtask of {@code operator}. */
  static Set<String> ids(String operator, int parallelism) {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < parallelism; i++) {
      ids.add(operator + "#" + i);
    }
    return ids;
  }

  @SafeVarargs
  static Set<String> union(Set<String>... sets) {
    Set<String> u = new HashSet<>();
    for (Set<String> s : sets) {
      u.addAll(s);
    }
    return u;
  }
}

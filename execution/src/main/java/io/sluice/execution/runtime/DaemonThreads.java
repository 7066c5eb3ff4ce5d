package io.sluice.execution.runtime;

import java.util.concurrent.ThreadFactory;

/** Threads of the engine's own services, which must never keep a JVM alive: daemons, named for their role. */
public final class DaemonThreads {

  private DaemonThreads() {}

  public static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}

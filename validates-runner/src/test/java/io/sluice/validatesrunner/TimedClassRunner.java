package io.sluice.validatesrunner;

import io.sluice.validatesrunner.ExecutionResult.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.runner.Description;
import org.junit.runner.Request;
import org.junit.runner.Runner;
import org.junit.runner.notification.Failure;
import org.junit.runner.notification.RunListener;
import org.junit.runner.notification.RunNotifier;
import org.junit.runners.model.TestTimedOutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs chosen test methods of one JUnit 4 class, giving each execution at most {@code timeout}.
 *
 * <p>The class runs on a worker thread watched from the calling thread. An execution that overruns
 * is recorded as timed out and its thread interrupted; if the thread does not let go of the test
 * within a grace period it is abandoned (a pipeline that hangs may never answer an interrupt) and
 * the executions not yet run start over on a fresh thread, so one hung test cannot stall the suite.
 */
public final class TimedClassRunner {

  private static final Logger LOG = LoggerFactory.getLogger(TimedClassRunner.class);
  private static final long POLL_MILLIS = 50;

  private final Duration timeout;
  private final Duration interruptGrace;

  public TimedClassRunner(Duration timeout, Duration interruptGrace) {
    this.timeout = timeout;
    this.interruptGrace = interruptGrace;
  }

  public List<ExecutionResult> run(Class<?> testClass, List<VrTestMethod> methods) {
    Map<String, VrTestMethod> methodsByName = new LinkedHashMap<>();
    methods.forEach(method -> methodsByName.put(method.methodName(), method));

    Runner selected =
        Request.aClass(testClass)
            .filterWith(ExecutionFilter.ofMethods(methodsByName.keySet()))
            .getRunner();
    Set<Description> pending = new LinkedHashSet<>(executionsOf(selected.getDescription()));
    List<ExecutionResult> results = new ArrayList<>();
    List<Failure> classFailures = new ArrayList<>();
    while (!pending.isEmpty()) {
      Runner runner =
          Request.aClass(testClass).filterWith(ExecutionFilter.ofExecutions(pending)).getRunner();
      Attempt attempt = new Attempt(methodsByName, pending);
      boolean completed =
          attempt.watch(runner, "sluice-vr-" + Categories.nameWithoutPackage(testClass));
      results.addAll(attempt.results);
      classFailures.addAll(attempt.classFailures);
      pending.removeAll(attempt.settled);
      if (completed) {
        break;
      }
    }
    classFailures.forEach(
        failure ->
            LOG.warn("{}: failure outside any test: {}", testClass.getName(), failure.getTrace()));
    results.addAll(neverRun(methodsByName, pending, results, classFailures));
    return results;
  }

  /**
   * Executions JUnit never started although the class ran to its end, e.g. because the class failed
   * to initialize or its {@code @BeforeClass} failed: each is a failure, blamed on the class-level
   * problem if there was one.
   */
  private static List<ExecutionResult> neverRun(
      Map<String, VrTestMethod> methodsByName,
      Set<Description> pending,
      List<ExecutionResult> results,
      List<Failure> classFailures) {
    Throwable cause =
        classFailures.isEmpty()
            ? new IllegalStateException("JUnit did not run this test")
            : classFailures.get(0).getException();
    List<ExecutionResult> neverRun = new ArrayList<>();
    for (Description execution : pending) {
      VrTestMethod method = methodsByName.get(ExecutionFilter.methodName(execution));
      if (method != null) {
        neverRun.add(new ExecutionResult(method, execution.getMethodName(), Outcome.FAILED, cause));
      }
    }
    // A class that cannot even be instantiated by JUnit lists none of its methods as executions.
    Set<VrTestMethod> reported = new HashSet<>();
    results.forEach(result -> reported.add(result.method()));
    neverRun.forEach(result -> reported.add(result.method()));
    for (VrTestMethod method : methodsByName.values()) {
      if (!reported.contains(method)) {
        neverRun.add(new ExecutionResult(method, method.methodName(), Outcome.FAILED, cause));
      }
    }
    return neverRun;
  }

  private static List<Description> executionsOf(Description description) {
    if (description.isTest()) {
      return List.of(description);
    }
    List<Description> executions = new ArrayList<>();
    description.getChildren().forEach(child -> executions.addAll(executionsOf(child)));
    return executions;
  }

  /**
   * One worker thread's go at the pending executions. JUnit calls the listener methods on the
   * worker thread while the watching thread reads and times out, hence the synchronization.
   */
  private final class Attempt extends RunListener {
    private final Map<String, VrTestMethod> methodsByName;
    private final Set<Description> pending;
    private final RunNotifier notifier = new RunNotifier();

    private final List<ExecutionResult> results = new ArrayList<>();
    private final List<Failure> classFailures = new ArrayList<>();
    private final Set<Description> settled = new HashSet<>();
    private final Map<Description, Failure> failures = new LinkedHashMap<>();
    private final Set<Description> timedOut = new HashSet<>();
    private final Set<Description> finishedAfterTimeout = new HashSet<>();
    private Description current;
    private long currentStartNanos;
    private long lastEventNanos = System.nanoTime();

    /** Set once the attempt is abandoned: its worker may still wake up and report, too late. */
    private boolean closed;

    Attempt(Map<String, VrTestMethod> methodsByName, Set<Description> pending) {
      this.methodsByName = methodsByName;
      this.pending = pending;
      notifier.addListener(this);
    }

    /** Returns true when the worker ran to the end, false when it had to be abandoned. */
    boolean watch(Runner runner, String threadName) {
      Thread worker = new Thread(() -> runOnWorker(runner), threadName);
      worker.setDaemon(true);
      worker.start();
      while (true) {
        if (joinQuietly(worker, POLL_MILLIS)) {
          return true;
        }
        Description overrun = timeOutOverrunningExecution(worker);
        if (overrun != null) {
          if (!awaitRelease(worker, overrun)) {
            abandon(worker, "still running " + overrun.getMethodName());
            return false;
          }
        } else if (stuckOutsideTests()) {
          worker.interrupt();
          timeOutUnsettled(worker);
          abandon(worker, "stuck outside any test, e.g. in @BeforeClass or @AfterClass");
          return false;
        }
      }
    }

    private void runOnWorker(Runner runner) {
      try {
        runner.run(notifier);
      } catch (Throwable t) {
        synchronized (this) {
          // pleaseStop() surfaces as an exception on an abandoned worker: nothing to report.
          if (!closed) {
            classFailures.add(new Failure(runner.getDescription(), t));
          }
        }
      }
    }

    private synchronized Description timeOutOverrunningExecution(Thread worker) {
      if (current == null || System.nanoTime() - currentStartNanos < timeout.toNanos()) {
        return null;
      }
      Description overrun = current;
      settle(overrun, Outcome.TIMED_OUT, timeoutFailure(worker));
      timedOut.add(overrun);
      current = null;
      lastEventNanos = System.nanoTime();
      // Under the lock, so the worker cannot have started the next test: the interrupt is meant
      // for this one (testStarted clears it should it arrive just after this test ended).
      worker.interrupt();
      return overrun;
    }

    private synchronized boolean stuckOutsideTests() {
      return current == null && System.nanoTime() - lastEventNanos >= timeout.toNanos();
    }

    private synchronized void timeOutUnsettled(Thread worker) {
      for (Description execution : pending) {
        if (!settled.contains(execution)) {
          settle(execution, Outcome.TIMED_OUT, timeoutFailure(worker));
        }
      }
    }

    private Throwable timeoutFailure(Thread worker) {
      TestTimedOutException failure =
          new TestTimedOutException(timeout.toSeconds(), TimeUnit.SECONDS);
      // Where the worker was when time ran out says more than where the watchdog noticed.
      failure.setStackTrace(worker.getStackTrace());
      // A test that hangs waits on the runner's threads: how they stood is what explains it.
      failure.addSuppressed(new AssertionError("every other thread when time ran out:\n" + threadDump(worker)));
      return failure;
    }

    private String threadDump(Thread worker) {
      StringBuilder dump = new StringBuilder();
      for (Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet()) {
        if (thread.getKey() == worker || thread.getValue().length == 0) {
          continue;
        }
        dump.append('"').append(thread.getKey().getName()).append("\" ").append(thread.getKey().getState()).append('\n');
        for (int i = 0; i < Math.min(thread.getValue().length, 30); i++) {
          dump.append("\tat ").append(thread.getValue()[i]).append('\n');
        }
      }
      return dump.toString();
    }

    /** Waits for the interrupted test to finish; true if it did or the worker ended. */
    private boolean awaitRelease(Thread worker, Description overrun) {
      long deadline = System.nanoTime() + interruptGrace.toNanos();
      while (System.nanoTime() < deadline) {
        if (joinQuietly(worker, POLL_MILLIS)) {
          return true;
        }
        synchronized (this) {
          if (finishedAfterTimeout.contains(overrun)) {
            return true;
          }
        }
      }
      return false;
    }

    private void abandon(Thread worker, String why) {
      synchronized (this) {
        closed = true;
      }
      // Should the worker wake up after all, it stops at the next test instead of running on.
      notifier.pleaseStop();
      LOG.warn(
          "Abandoning thread {} ({}); remaining tests of the class continue on a new thread",
          worker.getName(),
          why);
    }

    private boolean joinQuietly(Thread worker, long millis) {
      try {
        worker.join(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while running " + worker.getName(), e);
      }
      return !worker.isAlive();
    }

    private void settle(Description execution, Outcome outcome, Throwable failure) {
      settled.add(execution);
      VrTestMethod method = methodsByName.get(ExecutionFilter.methodName(execution));
      if (method != null) {
        results.add(new ExecutionResult(method, execution.getMethodName(), outcome, failure));
      }
    }

    @Override
    public synchronized void testStarted(Description description) {
      if (closed) {
        return;
      }
      // A stale interrupt aimed at the previous, timed-out test must not fail this one.
      Thread.interrupted();
      current = description;
      currentStartNanos = System.nanoTime();
      lastEventNanos = currentStartNanos;
    }

    @Override
    public synchronized void testFailure(Failure failure) {
      if (closed || timedOut.contains(failure.getDescription())) {
        return;
      }
      if (failure.getDescription().isTest()
          && methodsByName.containsKey(ExecutionFilter.methodName(failure.getDescription()))) {
        failures.put(failure.getDescription(), failure);
      } else {
        classFailures.add(failure);
      }
    }

    @Override
    public synchronized void testAssumptionFailure(Failure failure) {
      if (!closed && !timedOut.contains(failure.getDescription())) {
        settle(failure.getDescription(), Outcome.SKIPPED, failure.getException());
      }
    }

    @Override
    public synchronized void testIgnored(Description description) {
      if (!closed) {
        settle(description, Outcome.SKIPPED, null);
      }
    }

    @Override
    public synchronized void testFinished(Description description) {
      if (closed) {
        return;
      }
      lastEventNanos = System.nanoTime();
      if (description.equals(current)) {
        current = null;
      }
      if (timedOut.contains(description)) {
        finishedAfterTimeout.add(description);
      } else if (!settled.contains(description)) {
        Failure failure = failures.get(description);
        settle(
            description,
            failure == null ? Outcome.PASSED : Outcome.FAILED,
            failure == null ? null : failure.getException());
      }
    }
  }
}

package io.sluice.execution.runtime.task;

import io.sluice.execution.channel.InputGate;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * How other threads reach a subtask: they post an action, and the subtask's thread runs it between
 * two frames, so operators and their state are only ever touched by that one thread. Posting wakes
 * the thread if it waits for input.
 */
final class TaskMailbox {

  /** An action run on the subtask's thread. */
  interface Mail {
    void run() throws Exception;
  }

  private final ConcurrentLinkedQueue<Mail> mails = new ConcurrentLinkedQueue<>();
  private final InputGate gate;
  /** Whether mail may be waiting: a plain volatile read on the hot path instead of a queue probe. */
  private volatile boolean hasMail;

  TaskMailbox(InputGate gate) {
    this.gate = gate;
  }

  void post(Mail mail) {
    mails.add(mail);
    hasMail = true;
    gate.wakeUp();
  }

  boolean hasMail() {
    return hasMail;
  }

  /** Runs every mail posted so far, on the calling (the subtask's) thread. */
  void runAll() throws Exception {
    hasMail = false;
    for (Mail mail = mails.poll(); mail != null; mail = mails.poll()) {
      mail.run();
    }
  }
}

package io.sluice.execution.sort;

/**
 * Counts the run files a sorter holds open, so that the bound on simultaneously open files is an
 * observable fact rather than an assumption about the merge plan.
 */
final class OpenFileCounter {

  private int open;
  private int peak;

  void opened() {
    open++;
    peak = Math.max(peak, open);
  }

  void closed() {
    open--;
  }

  int open() {
    return open;
  }

  int peak() {
    return peak;
  }
}

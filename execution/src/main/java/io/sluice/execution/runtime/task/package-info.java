/**
 * One subtask, split along its concerns: its life cycle, the loop of its thread, its mailbox, the
 * operator chain and its outputs, each operator's input progress, processing time, and the context
 * operators see. Everything here is owned by the subtask's thread.
 */
package io.sluice.execution.runtime.task;

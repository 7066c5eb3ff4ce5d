/**
 * The in-process transport: a channel between two subtask threads of one JVM.
 */
package io.sluice.execution.channel.local;

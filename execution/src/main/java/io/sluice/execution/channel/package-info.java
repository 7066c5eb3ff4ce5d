/**
 * How frames travel between subtasks, whatever the transport: the frame protocol and its byte
 * codec, the sender and receiver ends of a channel, the input gate that reads all channels of a
 * subtask, and the record writer that partitions, serializes and pages records.
 */
package io.sluice.execution.channel;

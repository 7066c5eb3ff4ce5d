package io.sluice.execution.state;

import io.sluice.execution.checkpoint.proto.StateFile;
import io.sluice.execution.checkpoint.proto.StoreInfo;
import java.util.List;

/**
 * What one operator instance's snapshot consists of: its files (new and reused), its stores, and
 * what it cost: bytes written now, and bytes of files an earlier checkpoint already wrote.
 */
public record WrittenState(
    String backend, List<StateFile> files, List<StoreInfo> stores, long bytesWritten, long bytesShared) {}

package io.sluice.execution.state;

import io.sluice.execution.checkpoint.proto.StateFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Where a snapshot writes its files: the checkpoint storage of one operator instance. Each call
 * returns the file's description (path, size, checksum) for the checkpoint's metadata.
 */
public interface SnapshotFiles {

  /** Writes a file that belongs to this checkpoint only, as {@code writer} produces it. */
  StateFile write(String localName, StreamWriter writer) throws IOException;

  /** Copies {@code source} as a file that belongs to this checkpoint only. */
  StateFile copy(Path source, String localName) throws IOException;

  /**
   * Copies {@code source}, an immutable file, into shared storage as {@code sharedName} (unique to
   * its contents), where later checkpoints may reference it instead of copying it again. On the
   * same file system it may be linked instead: it must then never change.
   */
  StateFile copyShared(Path source, String sharedName, String localName) throws IOException;

  /** Writes a file's contents. */
  interface StreamWriter {
    void writeTo(OutputStream out) throws IOException;
  }
}

package io.sluice.execution.checkpoint;

import io.sluice.execution.checkpoint.proto.CheckpointMetadata;
import io.sluice.execution.checkpoint.proto.OperatorState;
import io.sluice.execution.checkpoint.proto.StateFile;
import io.sluice.execution.checkpoint.proto.SubtaskState;
import io.sluice.execution.state.SnapshotFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's checkpoints on disk, under its root ({@code <checkpointDir>/<jobName>}):
 *
 * <pre>
 *   chk-&lt;id&gt;/_metadata            written last, atomically: the checkpoint is complete
 *   chk-&lt;id&gt;/&lt;instance&gt;/...      files of one operator instance, this checkpoint only
 *   shared/...                    immutable files (RocksDB SSTs) several checkpoints reference
 * </pre>
 *
 * A shared file is kept while a complete checkpoint under the root references it: the metadata on
 * disk is the reference count, so it survives restarts and needs no file of its own.
 */
public final class CheckpointStorage {

  static final int FORMAT_VERSION = 1;
  static final String METADATA = "_metadata";
  static final String SHARED = "shared";
  private static final Pattern CHECKPOINT_DIRECTORY = Pattern.compile("chk-(\\d+)");
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStorage.class);

  private final Path root;

  private CheckpointStorage(Path root) {
    this.root = root;
  }

  /** The storage of job {@code jobName} under {@code directory}. */
  public static CheckpointStorage of(Path directory, String jobName) {
    return new CheckpointStorage(directory.resolve(fileName(jobName)));
  }

  /** The storage whose root (a job's directory under the checkpoint directory) is {@code root}. */
  public static CheckpointStorage at(Path root) {
    return new CheckpointStorage(root);
  }

  public Path root() {
    return root;
  }

  Path directoryOf(long checkpointId) {
    return root.resolve("chk-" + checkpointId);
  }

  /** Where one operator instance writes its part of checkpoint {@code checkpointId}. */
  SnapshotFiles filesFor(long checkpointId, String operatorId, int subtask, List<Path> unforced) {
    String instance = fileName(operatorId) + "-" + Integer.toHexString(operatorId.hashCode()) + "-" + subtask;
    return new CheckpointFileWriter(root, "chk-" + checkpointId + "/" + instance, unforced);
  }

  /** Writes the metadata that makes checkpoint {@code metadata.checkpoint_id} complete. */
  CompletedCheckpoint complete(CheckpointMetadata metadata) throws IOException {
    Path directory = directoryOf(metadata.getCheckpointId());
    Files.createDirectories(directory);
    Path temporary = directory.resolve(METADATA + ".tmp");
    try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      ByteBuffer bytes = ByteBuffer.wrap(metadata.toByteArray());
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    }
    Files.move(temporary, directory.resolve(METADATA), StandardCopyOption.ATOMIC_MOVE);
    return new CompletedCheckpoint(root, directory, metadata);
  }

  /** The highest checkpoint id under the root, complete or not (0 if none): new ids go above it. */
  long highestId() throws IOException {
    long highest = 0;
    for (Path directory : checkpointDirectories(root)) {
      highest = Math.max(highest, idOf(directory));
    }
    return highest;
  }

  /** The complete checkpoints under the root whose metadata can be read, oldest first. */
  List<CompletedCheckpoint> completed() throws IOException {
    List<CompletedCheckpoint> completed = new ArrayList<>();
    for (Path directory : checkpointDirectories(root)) {
      try {
        completed.add(read(root, directory));
      } catch (NoSuchFileException e) {
        // Incomplete: no metadata.
      } catch (IOException e) {
        LOG.warn("Checkpoint {} has unreadable metadata and is ignored: {}", directory, e.toString());
      }
    }
    return completed;
  }

  /** Deletes a checkpoint's own directory (its shared files go with {@link #collectGarbage}). */
  void discard(Path directory) {
    deleteRecursively(directory);
  }

  /** Deletes every shared file no complete checkpoint under the root references. */
  void collectGarbage() throws IOException {
    Path shared = root.resolve(SHARED);
    if (!Files.isDirectory(shared)) {
      return;
    }
    Set<String> referenced = new HashSet<>();
    for (CompletedCheckpoint checkpoint : completed()) {
      for (OperatorState operator : checkpoint.metadata().getOperatorsList()) {
        for (SubtaskState subtask : operator.getSubtasksList()) {
          for (StateFile file : subtask.getFilesList()) {
            referenced.add(file.getPath());
          }
        }
      }
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(shared)) {
      for (Path file : files) {
        if (!referenced.contains(SHARED + "/" + file.getFileName())) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  /** Removes the root (and an empty shared directory) if nothing else is left in it. */
  void removeIfEmpty() throws IOException {
    Path shared = root.resolve(SHARED);
    if (Files.isDirectory(shared)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(shared)) {
        if (entries.iterator().hasNext()) {
          return;
        }
      }
      Files.delete(shared);
    }
    if (Files.isDirectory(root)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
        if (entries.iterator().hasNext()) {
          return;
        }
      }
      Files.delete(root);
    }
  }

  /**
   * The checkpoint to restore from {@code path}: a checkpoint directory, or a job's root (its
   * latest complete checkpoint). A candidate whose metadata or files fail their checks is skipped,
   * with a warning, for the one before it (under the same root).
   *
   * @throws CheckpointException if no complete, intact checkpoint is there
   */
  public static CompletedCheckpoint findRestorable(Path path) {
    Path root;
    long below;
    Matcher named = CHECKPOINT_DIRECTORY.matcher(path.getFileName() == null ? "" : path.getFileName().toString());
    if (named.matches()) {
      root = path.getParent();
      below = Long.parseLong(named.group(1));
    } else {
      root = path;
      below = Long.MAX_VALUE;
    }
    if (!Files.isDirectory(path)) {
      throw new CheckpointException("Cannot restore from " + path + ": no such directory");
    }
    List<Path> candidates;
    try {
      candidates = checkpointDirectories(root);
    } catch (IOException e) {
      throw new CheckpointException("Cannot list checkpoints in " + root + ": " + e, e);
    }
    candidates.removeIf(d -> idOf(d) > below);
    List<String> rejected = new ArrayList<>();
    for (int i = candidates.size() - 1; i >= 0; i--) {
      Path directory = candidates.get(i);
      try {
        CompletedCheckpoint checkpoint = read(root, directory);
        verify(checkpoint);
        if (!rejected.isEmpty()) {
          LOG.warn("Restoring from checkpoint {} instead of newer ones that failed their checks: {}",
              directory, String.join("; ", rejected));
        }
        return checkpoint;
      } catch (NoSuchFileException e) {
        rejected.add(directory.getFileName() + " is incomplete (no " + METADATA + ")");
      } catch (IOException | CheckpointException e) {
        rejected.add(directory.getFileName() + ": " + e.getMessage());
      }
    }
    throw new CheckpointException("Cannot restore from " + path + ": it holds no complete checkpoint"
        + (rejected.isEmpty() ? " (no chk-<id> directory with " + METADATA + ")" : ": " + String.join("; ", rejected)));
  }

  /** Checks every file the checkpoint names: present, of its size, with its checksum. */
  static void verify(CompletedCheckpoint checkpoint) throws IOException {
    CheckpointMetadata metadata = checkpoint.metadata();
    if (metadata.getFormatVersion() != FORMAT_VERSION) {
      throw new CheckpointException("checkpoint format " + metadata.getFormatVersion()
          + " is not the format this version reads (" + FORMAT_VERSION + ")");
    }
    byte[] buffer = new byte[1 << 16];
    for (OperatorState operator : metadata.getOperatorsList()) {
      for (SubtaskState subtask : operator.getSubtasksList()) {
        for (StateFile file : subtask.getFilesList()) {
          Path path = checkpoint.root().resolve(file.getPath());
          if (!Files.isRegularFile(path)) {
            throw new CheckpointException("file " + file.getPath() + " is missing");
          }
          CRC32C crc = new CRC32C();
          long size = 0;
          try (InputStream in = Files.newInputStream(path)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
              crc.update(buffer, 0, n);
              size += n;
            }
          }
          if (size != file.getSize() || (int) crc.getValue() != file.getCrc32C()) {
            throw new CheckpointException("file " + file.getPath() + " is corrupt: " + size + " bytes with CRC-32C "
                + Integer.toHexString((int) crc.getValue()) + ", metadata says " + file.getSize() + " bytes with "
                + Integer.toHexString(file.getCrc32C()));
          }
        }
      }
    }
  }

  private static CompletedCheckpoint read(Path root, Path directory) throws IOException {
    byte[] bytes = Files.readAllBytes(directory.resolve(METADATA));
    CheckpointMetadata metadata;
    try {
      metadata = CheckpointMetadata.parseFrom(bytes);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new CheckpointException("its metadata cannot be parsed: " + e.getMessage(), e);
    }
    if (metadata.getCheckpointId() != idOf(directory)) {
      throw new CheckpointException("its metadata names checkpoint " + metadata.getCheckpointId());
    }
    return new CompletedCheckpoint(root, directory, metadata);
  }

  /** The chk-&lt;id&gt; directories under {@code root}, by id. */
  private static List<Path> checkpointDirectories(Path root) throws IOException {
    List<Path> directories = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return directories;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path entry : entries) {
        if (Files.isDirectory(entry) && CHECKPOINT_DIRECTORY.matcher(entry.getFileName().toString()).matches()) {
          directories.add(entry);
        }
      }
    }
    directories.sort(Comparator.comparingLong(CheckpointStorage::idOf));
    return directories;
  }

  private static long idOf(Path directory) {
    Matcher m = CHECKPOINT_DIRECTORY.matcher(directory.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  static String fileName(String name) {
    String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
    return safe.length() > 80 ? safe.substring(0, 80) : safe;
  }

  static void deleteRecursively(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("Could not delete {}", directory, e);
    }
  }
}

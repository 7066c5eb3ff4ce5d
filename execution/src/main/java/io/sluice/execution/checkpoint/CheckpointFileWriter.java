package io.sluice.execution.checkpoint;

import io.sluice.execution.checkpoint.proto.StateFile;
import io.sluice.execution.state.SnapshotFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Writes the files of one operator instance's snapshot into a checkpoint's storage: its own files
 * under {@code chk-<id>/<instance>/}, shared ones under {@code shared/}. Every file gets its size
 * and CRC-32C computed as it is written, and joins the checkpoint's list of files to force to disk
 * before the metadata can name them: forced together once all are written, most are on disk by
 * then, and one journal commit covers many.
 */
final class CheckpointFileWriter implements SnapshotFiles {

  private final Path root;
  /** The instance's own directory, relative to the root. */
  private final String ownDirectory;
  /** Files written for the checkpoint and not yet forced: shared by its writers, one thread. */
  private final List<Path> unforced;
  /**
   * Derived: directories this writer made or found. Files.createDirectories on an existing one
   * costs a failed mkdir and an exception: for every file, most of what writing a small one costs.
   */
  private final Set<Path> directories = new HashSet<>();

  CheckpointFileWriter(Path root, String ownDirectory, List<Path> unforced) {
    this.root = root;
    this.ownDirectory = ownDirectory;
    this.unforced = unforced;
  }

  /** Forces every file in {@code files} to disk. */
  static void force(List<Path> files) throws IOException {
    for (Path file : files) {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
    }
  }

  @Override
  public StateFile write(String localName, StreamWriter writer) throws IOException {
    String relative = ownDirectory + "/" + localName;
    return writeFile(relative, localName, writer);
  }

  @Override
  public StateFile copy(Path source, String localName) throws IOException {
    return writeFile(ownDirectory + "/" + localName, localName, out -> transfer(source, out));
  }

  /**
   * An immutable file on the storage's file system (a RocksDB SST file, which RocksDB synced when it
   * wrote it) is hard-linked, not copied: the checkpoint's bytes cost no write. Elsewhere, copied.
   */
  @Override
  public StateFile copyShared(Path source, String sharedName, String localName) throws IOException {
    String relative = CheckpointStorage.SHARED + "/" + sharedName;
    Path target = root.resolve(relative);
    ensureDirectory(target.getParent());
    // Linked under a temporary name, then renamed over any earlier file of that name: a file an
    // older checkpoint names is never missing, even for a moment.
    Path link = target.resolveSibling(target.getFileName() + ".link");
    try {
      Files.deleteIfExists(link);
      Files.createLink(link, source);
    } catch (IOException | UnsupportedOperationException e) {
      return writeFile(relative, localName, out -> transfer(source, out));
    }
    Files.move(link, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return describeLinked(relative, localName, target);
  }

  /** Size and checksum of a linked file, read back; forced later, in case its data is not on disk yet. */
  private StateFile describeLinked(String relative, String localName, Path target) throws IOException {
    CRC32C crc = new CRC32C();
    long size = 0;
    try (FileChannel channel = FileChannel.open(target, StandardOpenOption.READ)) {
      ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
      for (int n = channel.read(buffer); n >= 0; n = channel.read(buffer)) {
        buffer.flip();
        crc.update(buffer);
        size += n;
        buffer.clear();
      }
    }
    return written(target, relative, localName, size, crc);
  }

  private static void transfer(Path source, OutputStream out) throws IOException {
    try (InputStream in = Files.newInputStream(source)) {
      in.transferTo(out);
    }
  }

  private StateFile writeFile(String relative, String localName, StreamWriter writer) throws IOException {
    Path target = root.resolve(relative);
    ensureDirectory(target.getParent());
    CRC32C crc = new CRC32C();
    long[] size = new long[1];
    try (FileChannel channel = FileChannel.open(target, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      OutputStream checked = new OutputStream() {
        private final OutputStream file = Channels.newOutputStream(channel);

        @Override
        public void write(int b) throws IOException {
          file.write(b);
          crc.update(b);
          size[0]++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          file.write(b, off, len);
          crc.update(b, off, len);
          size[0] += len;
        }
      };
      BufferedOutputStream out = new BufferedOutputStream(checked, 1 << 16);
      writer.writeTo(out);
      out.flush();
    }
    return written(target, relative, localName, size[0], crc);
  }

  private void ensureDirectory(Path directory) throws IOException {
    if (directories.add(directory) && !Files.isDirectory(directory)) {
      Files.createDirectories(directory);
    }
  }

  /** A file now in the checkpoint, to be forced with the others: its entry in the metadata. */
  private StateFile written(Path target, String relative, String localName, long size, CRC32C crc) {
    unforced.add(target);
    return StateFile.newBuilder()
        .setPath(relative)
        .setLocalName(localName)
        .setSize(size)
        .setCrc32C((int) crc.getValue())
        .build();
  }
}

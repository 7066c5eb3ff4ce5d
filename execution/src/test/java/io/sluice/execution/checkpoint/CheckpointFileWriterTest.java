package io.sluice.execution.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.execution.checkpoint.proto.StateFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files a snapshot writes carry their size and checksum; shared immutable files are linked where they can be. */
class CheckpointFileWriterTest {

  @TempDir
  Path dir;

  private static int crcOf(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return (int) crc.getValue();
  }

  @Test
  void aSharedFileOnTheSameFileSystemIsLinkedWithItsSizeAndChecksum() throws Exception {
    byte[] bytes = "an sst file's bytes".getBytes(StandardCharsets.UTF_8);
    Path source = Files.write(dir.resolve("000012.sst"), bytes);
    CheckpointFileWriter writer = new CheckpointFileWriter(dir.resolve("root"), "chk-1/op-0", new ArrayList<>());

    StateFile file = writer.copyShared(source, "instance-000012.sst", "000012.sst");

    Path target = dir.resolve("root").resolve(file.getPath());
    assertEquals("shared/instance-000012.sst", file.getPath());
    assertTrue(Files.isSameFile(source, target), "linked, not copied");
    assertEquals(bytes.length, file.getSize());
    assertEquals(crcOf(bytes), file.getCrc32C());
    assertFalse(Files.exists(target.resolveSibling("instance-000012.sst.link")), "no temporary link left");
  }

  @Test
  void anEarlierFileOfTheSameSharedNameIsReplacedWhole() throws Exception {
    byte[] bytes = "the complete file".getBytes(StandardCharsets.UTF_8);
    Path source = Files.write(dir.resolve("000007.sst"), bytes);
    Path shared = Files.createDirectories(dir.resolve("root").resolve(CheckpointStorage.SHARED));
    Files.write(shared.resolve("instance-000007.sst"), "a torn wr".getBytes(StandardCharsets.UTF_8));
    CheckpointFileWriter writer = new CheckpointFileWriter(dir.resolve("root"), "chk-2/op-0", new ArrayList<>());

    StateFile file = writer.copyShared(source, "instance-000007.sst", "000007.sst");

    assertArrayEquals(bytes, Files.readAllBytes(shared.resolve("instance-000007.sst")));
    assertEquals(crcOf(bytes), file.getCrc32C());
  }

  @Test
  void anOwnFileIsWrittenWithItsSizeAndChecksum() throws Exception {
    byte[] bytes = "a heap snapshot".getBytes(StandardCharsets.UTF_8);
    List<Path> unforced = new ArrayList<>();
    CheckpointFileWriter writer = new CheckpointFileWriter(dir.resolve("root"), "chk-3/op-1", unforced);

    StateFile file = writer.write("state", out -> out.write(bytes));

    assertEquals("chk-3/op-1/state", file.getPath());
    assertArrayEquals(bytes, Files.readAllBytes(dir.resolve("root").resolve(file.getPath())));
    assertEquals(bytes.length, file.getSize());
    assertEquals(crcOf(bytes), file.getCrc32C());
    assertEquals(List.of(dir.resolve("root").resolve(file.getPath())), unforced, "to be forced with the others");
  }
}

package io.sluice.execution.cluster;

import com.google.protobuf.ByteString;
import io.sluice.execution.cluster.proto.BlobChunk;
import io.sluice.execution.cluster.proto.ControlMessage;
import io.sluice.execution.net.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Blobs by content, in a directory of this process: a job's graph, its resources, its jars. A blob
 * arrives in chunks, in order, into a file of its own; it is kept only if its bytes hash to its
 * name, so a blob here is always whole and right. Blobs live as long as the process's directory.
 */
public final class BlobStore {

  /** Bytes per chunk on the wire: well under any frame limit. */
  static final int CHUNK_BYTES = 1 << 20;

  private final Path directory;
  /** Blobs arriving, by hash: the part file and the bytes so far; derived, until the last chunk. */
  private final Map<String, Arriving> arriving = new ConcurrentHashMap<>();
  /** Completed when a blob is here: derived, for waiters. */
  private final Map<String, CompletableFuture<Path>> present = new ConcurrentHashMap<>();

  private static final class Arriving {
    final Path part;
    final OutputStream out;
    final MessageDigest digest = sha256();
    long received;

    Arriving(Path part) throws IOException {
      this.part = part;
      this.out = Files.newOutputStream(part);
    }
  }

  public BlobStore(Path directory) throws IOException {
    this.directory = Files.createDirectories(directory);
  }

  /** Stores {@code bytes}; returns their hash. */
  public String put(byte[] bytes) throws IOException {
    String hash = HexFormat.of().formatHex(sha256().digest(bytes));
    Path target = directory.resolve(hash);
    if (!Files.exists(target)) {
      Path part = Files.createTempFile(directory, hash, ".part");
      Files.write(part, bytes);
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    futureOf(hash).complete(target);
    return hash;
  }

  /** Whether the blob is here; false for anything that is not a blob's name. */
  public boolean has(String hash) {
    return isName(hash) && Files.exists(directory.resolve(hash));
  }

  /** The blob's file; fails if it is not here. */
  public Path path(String hash) throws IOException {
    Path p = directory.resolve(checkName(hash));
    if (!Files.exists(p)) {
      throw new IOException("blob " + hash + " is not here");
    }
    return p;
  }

  public byte[] read(String hash) throws IOException {
    return Files.readAllBytes(path(hash));
  }

  /** Waits at most {@code millis} for the blob to be here. */
  public Path await(String hash, long millis) throws IOException, InterruptedException {
    if (has(hash)) {
      return path(hash);
    }
    try {
      return futureOf(hash).get(millis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException("blob " + hash + " did not arrive: " + e.getCause().getMessage(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException("blob " + hash + " did not arrive within " + millis + " ms");
    }
  }

  private CompletableFuture<Path> futureOf(String hash) {
    return present.computeIfAbsent(hash, h -> new CompletableFuture<>());
  }

  /**
   * One chunk of a blob, as sent by {@link #send}. A chunk out of order, or a blob whose bytes do
   * not hash to its name, fails (and the connection it came on is closed).
   */
  public void accept(BlobChunk chunk) throws IOException {
    String hash = checkName(chunk.getSha256());
    if (has(hash)) {
      return;
    }
    Arriving a = arriving.get(hash);
    if (a != null && chunk.getOffset() == 0) {
      // A transfer that broke off (its connection closed) starts over.
      a.out.close();
      Files.deleteIfExists(a.part);
      arriving.remove(hash);
      a = null;
    }
    if (a == null) {
      if (chunk.getOffset() != 0) {
        throw new IOException("blob " + hash + " begins at offset " + chunk.getOffset());
      }
      a = new Arriving(Files.createTempFile(directory, hash, ".part"));
      arriving.put(hash, a);
    }
    if (chunk.getOffset() != a.received) {
      fail(hash, a, "a chunk at " + chunk.getOffset() + " where " + a.received + " was due");
    }
    chunk.getData().writeTo(a.out);
    a.digest.update(chunk.getData().asReadOnlyByteBuffer());
    a.received += chunk.getData().size();
    if (chunk.getLast()) {
      arriving.remove(hash);
      a.out.close();
      String actual = HexFormat.of().formatHex(a.digest.digest());
      if (!actual.equals(hash)) {
        fail(hash, a, "its bytes hash to " + actual);
      }
      Path target = directory.resolve(hash);
      Files.move(a.part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      futureOf(hash).complete(target);
    }
  }

  private void fail(String hash, Arriving a, String why) throws IOException {
    arriving.remove(hash);
    a.out.close();
    Files.deleteIfExists(a.part);
    IOException e = new IOException("blob " + hash + " refused: " + why);
    futureOf(hash).completeExceptionally(e);
    present.remove(hash);
    throw e;
  }

  /** Sends a blob of this store: see {@link #send(String, InputStream, long, Connection)}. */
  public void send(String hash, Connection to) throws IOException, InterruptedException {
    Path p = path(hash);
    try (InputStream in = Files.newInputStream(p)) {
      send(hash, in, Files.size(p), to);
    }
  }

  /**
   * Sends the {@code size} bytes of blob {@code hash} in chunks, waiting for each to be written so
   * that a large blob never sits whole in the connection's buffers. Not on an event-loop thread.
   */
  public static void send(String hash, InputStream in, long size, Connection to) throws IOException,
      InterruptedException {
    byte[] buffer = new byte[CHUNK_BYTES];
    long offset = 0;
    do {
      int n = in.readNBytes(buffer, 0, (int) Math.min(buffer.length, size - offset));
      if (n == 0 && offset < size) {
        throw new IOException("blob " + hash + " ends at " + offset + " of " + size + " bytes");
      }
      sendChunk(hash, offset, buffer, n, offset + n >= size, to);
      offset += n;
    } while (offset < size);
  }

  private static void sendChunk(String hash, long offset, byte[] buffer, int n, boolean last, Connection to)
      throws IOException, InterruptedException {
    ControlMessage m = ControlMessage.newBuilder().setBlobChunk(BlobChunk.newBuilder()
        .setSha256(hash).setOffset(offset).setData(ByteString.copyFrom(buffer, 0, n)).setLast(last)).build();
    if (!ControlMessages.send(to, m).await(30, TimeUnit.SECONDS)) {
      throw new IOException("a chunk of blob " + hash + " not written within 30 s to " + to.remoteAddress());
    }
  }

  /** The hash a file's bytes would have as a blob. */
  public static String hashOf(Path file) throws IOException {
    MessageDigest digest = sha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Stores a copy of {@code file}; returns its hash. */
  public String putFile(Path file) throws IOException {
    String hash = hashOf(file);
    Path target = directory.resolve(hash);
    if (!Files.exists(target)) {
      Path part = Files.createTempFile(directory, hash, ".part");
      Files.copy(file, part, StandardCopyOption.REPLACE_EXISTING);
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    futureOf(hash).complete(target);
    return hash;
  }

  private static boolean isName(String hash) {
    return hash.length() == 64 && hash.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  private static String checkName(String hash) throws IOException {
    if (!isName(hash)) {
      throw new IOException("not a blob name: " + (hash.length() > 80 ? hash.substring(0, 80) + "..." : hash));
    }
    return hash;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}

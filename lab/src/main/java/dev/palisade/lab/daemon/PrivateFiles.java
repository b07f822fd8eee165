package dev.palisade.lab.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's credential files (tokens, kubeconfigs): written readable by root only, and kept fresh
 * before their tokens expire, as kubelet rotates a pod's projected tokens.
 */
final class PrivateFiles implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PrivateFiles.class);
  private final ScheduledExecutorService rotation = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "lab-token-rotation");
    t.setDaemon(true);
    return t;
  });

  /** Writes {@code content} to the file now and again every two thirds of {@code ttl}. */
  void keep(Path file, Supplier<String> content, Duration ttl) {
    write(file, content.get());
    long every = ttl.toSeconds() * 2 / 3;
    rotation.scheduleAtFixedRate(() -> {
      try {
        write(file, content.get());
      } catch (RuntimeException e) {
        LOG.warn("cannot renew {}: {}", file, e.getMessage());
      }
    }, every, every, TimeUnit.SECONDS);
  }

  /** Atomically, readable by root only: these files hold credentials. */
  static void write(Path file, String text) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, text);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  static String randomToken() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** Stops renewing; the files stay. */
  @Override
  public void close() {
    rotation.shutdownNow();
  }
}

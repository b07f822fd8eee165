package dev.palisade.controller.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the controller's API port speaks: TLS with a certificate chain and key read from PEM files
 * (in a cluster mounted from the Secret {@code palisade-controller-tls}), or plain HTTP when the
 * operator asked for it with {@code --insecure-http}. Nothing in between: a controller given
 * neither refuses to start ({@link #fromFlags}), since the agents' tokens and the approvers'
 * decisions travel on this port.
 *
 * <p>The files are read again, at most every {@link #RECHECK}, when a connection opens: a
 * Secret renewed by cert-manager (kubelet swaps the mounted files) is served to new connections
 * without a restart. A renewed pair that does not load is logged and the old one kept.
 *
 * <p>JDK provider only (no netty-tcnative): no native library beside libnftables. The key must be
 * PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), which is what cert-manager and {@code LabCertificates}
 * write.
 */
public final class ServerTls {
  private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
  static final Duration RECHECK = Duration.ofSeconds(30);
  private static final ServerTls PLAIN = new ServerTls(null, null, null);

  private final Path cert;
  private final Path key;
  /** Guarded by this; null for plain HTTP. */
  private SslContext context;
  private String loadedStamp;
  private long checkedAt;

  private ServerTls(Path cert, Path key, SslContext context) {
    this.cert = cert;
    this.key = key;
    this.context = context;
  }

  /** Plain HTTP: only for {@code --insecure-http} and for tests of the endpoints. */
  public static ServerTls plainHttp() {
    return PLAIN;
  }

  /**
   * TLS from a PEM certificate chain (the server's first, then intermediates) and its PKCS#8 PEM
   * key; fails now, naming the file, if either cannot be read or they do not load.
   */
  public static ServerTls fromPem(Path cert, Path key) {
    String stamp = stamp(cert, key);
    ServerTls tls = new ServerTls(cert, key, load(cert, key));
    tls.loadedStamp = stamp;
    tls.checkedAt = System.nanoTime();
    return tls;
  }

  /**
   * What the controller's flags ask for: {@code --tls-cert} and {@code --tls-key} together, or
   * {@code --insecure-http} alone. Any other combination is a usage error whose message says what
   * to pass.
   */
  public static ServerTls fromFlags(Path cert, Path key, boolean insecureHttp) {
    if (insecureHttp) {
      if (cert != null || key != null) {
        throw new IllegalArgumentException("--insecure-http and --tls-cert/--tls-key contradict each other: "
            + "pass the certificate and key to serve TLS, or --insecure-http alone to serve plain HTTP");
      }
      return plainHttp();
    }
    if (cert == null && key == null) {
      throw new IllegalArgumentException("the API serves TLS: pass --tls-cert FILE --tls-key FILE (PEM; in a "
          + "cluster mounted from the Secret palisade-controller-tls), or --insecure-http to serve plain HTTP "
          + "(agents' tokens and approvals then cross the network readable)");
    }
    if (cert == null || key == null) {
      throw new IllegalArgumentException((cert == null ? "--tls-key given without --tls-cert"
          : "--tls-cert given without --tls-key") + ": TLS needs both (PEM files)");
    }
    return fromPem(cert, key);
  }

  public boolean enabled() {
    return cert != null;
  }

  /** {@code https} or {@code http}, for URLs the controller prints. */
  public String scheme() {
    return enabled() ? "https" : "http";
  }

  /** The handler a new connection starts with; empty for plain HTTP. */
  public Optional<SslHandler> handler(ByteBufAllocator alloc) {
    if (!enabled()) {
      return Optional.empty();
    }
    return Optional.of(current().newHandler(alloc));
  }

  @Override
  public String toString() {
    return enabled() ? "TLS (" + cert + ", " + key + ")" : "plain HTTP";
  }

  /** The context for a new connection, reloaded first if the files changed since it was loaded. */
  synchronized SslContext current() {
    long now = System.nanoTime();
    if (now - checkedAt < RECHECK.toNanos()) {
      return context;
    }
    checkedAt = now;
    try {
      String stamp = stamp(cert, key);
      if (!stamp.equals(loadedStamp)) {
        context = load(cert, key);
        loadedStamp = stamp;
        LOG.info("API certificate reloaded from {} and {}", cert, key);
      }
    } catch (IllegalArgumentException e) {
      LOG.warn("API certificate files changed but do not load; serving the previous pair: {}", e.getMessage());
    }
    return context;
  }

  /**
   * Makes the next connection look at the files at once instead of within {@link #RECHECK} (tests
   * of the reload; a signal handler could call it too).
   */
  public synchronized void recheckNow() {
    checkedAt = System.nanoTime() - RECHECK.toNanos() - 1;
  }

  private static SslContext load(Path cert, Path key) {
    requireReadable(cert, "--tls-cert");
    requireReadable(key, "--tls-key");
    try {
      return SslContextBuilder.forServer(cert.toFile(), key.toFile()).sslProvider(SslProvider.JDK)
          .protocols("TLSv1.3", "TLSv1.2").build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot load the API certificate " + cert + " with key " + key
          + " (PEM certificate chain, PKCS#8 PEM key, the key matching the certificate): " + describe(e), e);
    }
  }

  private static void requireReadable(Path file, String flag) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException(flag + " " + file + ": no such readable file");
    }
  }

  /**
   * What changes when kubelet or an operator replaces the files: their contents (two small files
   * read every {@link #RECHECK} at most; times can repeat within a file system's granularity).
   */
  private static String stamp(Path cert, Path key) {
    try {
      java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
      d.update(Files.readAllBytes(cert));
      d.update((byte) 0);
      d.update(Files.readAllBytes(key));
      return java.util.HexFormat.of().formatHex(d.digest());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + cert + " or " + key + ": " + e.getMessage(), e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String describe(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (b.length() > 0) {
        b.append(": ");
      }
      b.append(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
      if (t.getCause() == t) {
        break;
      }
    }
    return b.toString();
  }
}

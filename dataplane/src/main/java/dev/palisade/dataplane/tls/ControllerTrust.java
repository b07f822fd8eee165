package dev.palisade.dataplane.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Whom a client of the controller's API (an agent, the CLI, the lab) believes: with a CA file
 * ({@code --ca}, {@code $PALISADE_CA}) that CA alone, so a certificate from any public CA for the
 * same name is refused; without one the JVM's default trust store, for a controller behind a
 * publicly trusted certificate. Never everyone: there is no trust-all mode, and host names are
 * verified (the JDK's HttpClient does unless a system property turns it off, which nothing here
 * sets). Plain {@code http://} only with {@code insecureHttp}, the client's {@code --insecure-http}.
 */
public final class ControllerTrust {
  private final Path ca;
  private final boolean insecureHttp;
  /** Made once per trust: the CA file is read at start, a missing or bad one fails then. */
  private final SSLContext ssl;

  private ControllerTrust(Path ca, boolean insecureHttp, SSLContext ssl) {
    this.ca = ca;
    this.insecureHttp = insecureHttp;
    this.ssl = ssl;
  }

  /**
   * @param ca a PEM file of CA certificates to trust alone; null for the JVM's default trust store
   * @param insecureHttp whether an {@code http://} controller URL is allowed
   */
  public static ControllerTrust of(Path ca, boolean insecureHttp) {
    return new ControllerTrust(ca, insecureHttp, ca == null ? null : trusting(ca));
  }

  /** The JVM's default trust store; https only. */
  public static ControllerTrust systemDefault() {
    return of(null, false);
  }

  public Path ca() {
    return ca;
  }

  /**
   * A client builder for the controller at {@code url}, with this trust for https; fails with a
   * message saying what to pass for a plain-HTTP URL without {@code insecureHttp}, or a scheme
   * that is neither.
   */
  public HttpClient.Builder builder(String url) {
    String scheme = schemeOf(url);
    HttpClient.Builder b = HttpClient.newBuilder();
    if (scheme.equals("http")) {
      if (!insecureHttp) {
        throw new IllegalArgumentException("the controller URL " + url + " is plain HTTP: the controller serves "
            + "TLS, so use https://" + " (with --ca FILE or $PALISADE_CA naming its CA), or pass --insecure-http "
            + "for a controller started with --insecure-http");
      }
      return b;
    }
    return ssl == null ? b : b.sslContext(ssl);
  }

  private static String schemeOf(String url) {
    String scheme;
    try {
      scheme = URI.create(url).getScheme();
    } catch (IllegalArgumentException e) {
      scheme = null; // "127.0.0.1:8443" is not even a URI: the same advice
    }
    scheme = scheme == null ? "" : scheme.toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw new IllegalArgumentException("the controller URL " + url + " must start with https:// (or http:// with "
          + "--insecure-http)");
    }
    return scheme;
  }

  /** An SSLContext trusting only the CA certificates in this PEM file (one or more). */
  public static SSLContext trusting(Path caPem) {
    if (!Files.isRegularFile(caPem) || !Files.isReadable(caPem)) {
      throw new IllegalArgumentException("CA file " + caPem + ": no such readable file");
    }
    try (InputStream in = Files.newInputStream(caPem)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new IllegalArgumentException("CA file " + caPem + " holds no PEM certificate");
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read CA file " + caPem + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("CA file " + caPem + " is not PEM certificates: " + e.getMessage(), e);
    }
  }
}

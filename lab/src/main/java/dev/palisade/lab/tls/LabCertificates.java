package dev.palisade.lab.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The lab's small CA: a CA certificate and a controller certificate it signed, written as the
 * files a cluster's Secret {@code palisade-controller-tls} holds ({@code ca.crt}, {@code tls.crt},
 * {@code tls.key}). Made fresh at each lab start in the lab's state directory; the CA's private
 * key is used once to sign and never written, so nothing can be signed with it later.
 *
 * <p>EC P-256 keys (quick to make, accepted by the JDK, kubectl and browsers); the key is written
 * as PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), the form netty's server reads.
 */
public final class LabCertificates {
  /** What the controller answers to: in the lab, on loopback; in a cluster, as its Service. */
  public static final List<String> CONTROLLER_NAMES = List.of("localhost", "palisade-controller.palisade-system.svc",
      "palisade-controller.palisade-system.svc.cluster.local", "127.0.0.1", "::1");
  static final Duration VALIDITY = Duration.ofDays(90);
  private static final String SIGNATURE = "SHA256withECDSA";

  /** The files written: the CA to trust, the server's certificate and its key. */
  public record Issued(Path ca, Path cert, Path key) {
    /**
     * Chromium's {@code --ignore-certificate-errors-spki-list=...}: trusts this server key alone,
     * for a test browser that cannot be given the CA (headless Chromium has no trust store flag).
     */
    public String chromiumTrustArgument() {
      try (var in = Files.newInputStream(cert)) {
        X509Certificate c = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificate(in);
        byte[] pin = java.security.MessageDigest.getInstance("SHA-256").digest(c.getPublicKey().getEncoded());
        return "--ignore-certificate-errors-spki-list=" + Base64.getEncoder().encodeToString(pin);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + cert, e);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(cert + ": " + e.getMessage(), e);
      }
    }
  }

  private LabCertificates() {
  }

  /**
   * Writes {@code ca.crt}, {@code tls.crt} and {@code tls.key} (owner-only) into {@code dir}, the
   * server certificate valid for {@code names}: IP addresses become IP SANs, anything else a DNS
   * SAN. Files already there are replaced.
   */
  public static Issued write(Path dir, List<String> names) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a server certificate needs at least one name or IP address");
    }
    try {
      Files.createDirectories(dir);
      KeyPair caKey = ecKey();
      X500Name caName = new X500Name("CN=palisade lab CA " + Long.toHexString(new SecureRandom().nextLong()));
      X509Certificate ca = sign(caName, caName, caKey.getPublic(), caKey, true, List.of(), null);
      KeyPair serverKey = ecKey();
      X509Certificate server = sign(new X500Name("CN=palisade-controller"), caName, serverKey.getPublic(), caKey,
          false, names, ca);
      Issued out = new Issued(dir.resolve("ca.crt"), dir.resolve("tls.crt"), dir.resolve("tls.key"));
      writeAtomically(out.ca(), pem("CERTIFICATE", ca.getEncoded()), false);
      writeAtomically(out.cert(), pem("CERTIFICATE", server.getEncoded()), false);
      writeAtomically(out.key(), pem("PRIVATE KEY", serverKey.getPrivate().getEncoded()), true); // PKCS#8
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the lab's certificates in " + dir, e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make the lab's certificates: " + e.getMessage(), e);
    }
  }

  private static KeyPair ecKey() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate sign(X500Name subject, X500Name issuer, java.security.PublicKey key, KeyPair signer,
      boolean isCa, List<String> names, X509Certificate issuerCert)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, new SecureRandom()),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, key);
    JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
    b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
    b.addExtension(Extension.authorityKeyIdentifier, false, issuerCert == null
        ? ext.createAuthorityKeyIdentifier(key) : ext.createAuthorityKeyIdentifier(issuerCert));
    if (isCa) {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    } else {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      b.addExtension(Extension.subjectAlternativeName, false, subjectAltNames(names));
    }
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder(SIGNATURE).build(signer.getPrivate())));
  }

  static GeneralNames subjectAltNames(List<String> names) {
    List<GeneralName> out = new ArrayList<>();
    for (String n : names) {
      if (n == null || n.isBlank()) {
        throw new IllegalArgumentException("a certificate name is empty: " + names);
      }
      out.add(new GeneralName(isIpLiteral(n) ? GeneralName.iPAddress : GeneralName.dNSName, n));
    }
    return new GeneralNames(out.toArray(GeneralName[]::new));
  }

  private static boolean isIpLiteral(String n) {
    if (!n.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
      return false; // never resolve a host name here
    }
    try {
      InetAddress.getByName(n);
      return true;
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + n, e);
    }
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static void writeAtomically(Path file, String text, boolean secret) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
    Files.writeString(tmp, text);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}

package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TlsCommandTest {
  @TempDir
  Path dir;

  @Test
  void writesACertificateForTheNamesGivenSignedByTheCaItWrites() throws Exception {
    assertEquals(0, new CommandLine(new TlsCommand()).execute("--out", dir.toString(), "--name",
        "palisade.example.org", "--name", "10.0.0.7"));
    X509Certificate ca = read(dir.resolve("ca.crt"));
    X509Certificate server = read(dir.resolve("tls.crt"));
    server.verify(ca.getPublicKey()); // throws unless the CA signed it
    assertEquals(List.of(List.of(2, "palisade.example.org"), List.of(7, "10.0.0.7")),
        server.getSubjectAlternativeNames().stream().map(n -> List.copyOf(n)).toList());
    assertTrue(server.getBasicConstraints() < 0, "the server certificate is no CA");
    assertTrue(ca.getBasicConstraints() >= 0, "the CA is one");
    assertTrue(Files.readString(dir.resolve("tls.key")).startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS#8");
  }

  private static X509Certificate read(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}

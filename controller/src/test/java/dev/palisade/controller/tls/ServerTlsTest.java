package dev.palisade.controller.tls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flags' combinations; a handshake on a real socket is in the lab's ControllerTlsTest (it has a CA). */
class ServerTlsTest {
  @TempDir
  Path dir;

  @Test
  void neitherCertificateNorInsecureHttpRefusesAndSaysWhatToPass() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ServerTls.fromFlags(null, null, false));
    assertTrue(e.getMessage().contains("--tls-cert FILE --tls-key FILE"), e.getMessage());
    assertTrue(e.getMessage().contains("--insecure-http"), e.getMessage());
  }

  @Test
  void insecureHttpAloneIsPlainHttp() {
    ServerTls tls = ServerTls.fromFlags(null, null, true);
    assertSame(ServerTls.plainHttp(), tls);
    assertFalse(tls.enabled());
    assertTrue(tls.handler(io.netty.buffer.ByteBufAllocator.DEFAULT).isEmpty());
    assertTrue(tls.scheme().equals("http"));
  }

  @Test
  void insecureHttpWithACertificateIsAContradiction() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ServerTls.fromFlags(dir.resolve("tls.crt"), dir.resolve("tls.key"), true));
    assertTrue(e.getMessage().contains("contradict"), e.getMessage());
  }

  @Test
  void halfAPairNamesTheMissingFlag() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerTls.fromFlags(dir.resolve("c"), null, false))
        .getMessage().startsWith("--tls-cert given without --tls-key"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerTls.fromFlags(null, dir.resolve("k"), false))
        .getMessage().startsWith("--tls-key given without --tls-cert"));
  }

  @Test
  void aMissingFileIsNamed() {
    Path cert = dir.resolve("tls.crt");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ServerTls.fromFlags(cert, dir.resolve("tls.key"), false));
    assertTrue(e.getMessage().contains(cert.toString()), e.getMessage());
  }

  @Test
  void filesThatAreNotPemAreRefusedNamingThem() throws Exception {
    Path cert = Files.writeString(dir.resolve("tls.crt"), "not a certificate\n");
    Path key = Files.writeString(dir.resolve("tls.key"), "not a key\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ServerTls.fromPem(cert, key));
    assertTrue(e.getMessage().startsWith("cannot load the API certificate " + cert), e.getMessage());
  }
}

package dev.palisade.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a client accepts before it connects; handshakes are in the lab's ControllerTlsTest. */
class ControllerTrustTest {
  @TempDir
  Path dir;

  @Test
  void plainHttpUrlNeedsInsecureHttp() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ControllerTrust.systemDefault().builder("http://palisade-controller.palisade-system.svc"));
    assertTrue(e.getMessage().contains("--insecure-http"), e.getMessage());
    assertNotNull(ControllerTrust.of(null, true).builder("http://127.0.0.1:8080").build());
  }

  @Test
  void aUrlThatIsNeitherHttpsNorHttpIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ControllerTrust.systemDefault().builder("127.0.0.1:8443"));
    assertTrue(e.getMessage().contains("must start with https://"), e.getMessage());
  }

  @Test
  void aMissingCaFileIsNamedAtStart() {
    Path ca = dir.resolve("ca.crt");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ControllerTrust.of(ca, false));
    assertTrue(e.getMessage().contains(ca.toString()), e.getMessage());
  }

  @Test
  void aCaFileWithoutCertificatesIsRefused() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.crt"), "");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ControllerTrust.of(ca, false));
    assertTrue(e.getMessage().contains("holds no PEM certificate"), e.getMessage());
  }
}

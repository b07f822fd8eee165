package dev.palisade.lab.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.ApiHandler;
import dev.palisade.controller.api.ApiResponse;
import dev.palisade.controller.api.ApiServer;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.tls.ServerTls;
import dev.palisade.dataplane.tls.ControllerTrust;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's API server on a real loopback socket with a certificate from the lab's CA: who
 * gets through the handshake (a client of that CA, by IP and by name) and who does not (the JVM's
 * trust store, another CA, a name the certificate lacks, plain HTTP).
 */
class ControllerTlsTest {
  private static final String TOKEN = "0123456789abcdef0123456789abcdef";

  @TempDir
  Path dir;
  private ApiServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private LabCertificates.Issued serve(List<String> names) {
    LabCertificates.Issued certs = LabCertificates.write(dir.resolve("tls"), names);
    Router router = new Router()
        .add("GET", "/healthz", null, r -> ApiResponse.json(200, "{\"ok\":true}"))
        .add("GET", "/v1/secret", Role.VIEWER, r -> ApiResponse.json(200, "{\"secret\":true}"));
    server = ApiServer.start("127.0.0.1", 0, router,
        token -> TOKEN.equals(token) ? Optional.of(new Principal("tester", Role.VIEWER)) : Optional.empty(),
        "/healthz"::equals, 4096, ApiHandler.Observer.NONE, ServerTls.fromPem(certs.cert(), certs.key()));
    return certs;
  }

  private static HttpResponse<String> get(HttpClient http, String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpClient trusting(Path ca, String url) {
    return ControllerTrust.of(ca, false).builder(url).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @Test
  void aClientOfTheLabCaGetsThroughByIpAndByNameAndTheGateStillJudgesTokens() throws Exception {
    LabCertificates.Issued certs = serve(LabCertificates.CONTROLLER_NAMES);
    String byIp = "https://127.0.0.1:" + server.port();
    HttpClient http = trusting(certs.ca(), byIp);
    assertEquals(200, get(http, byIp + "/healthz", null).statusCode());
    assertEquals(401, get(http, byIp + "/v1/secret", null).statusCode(), "no token: refused on the headers");
    assertEquals(200, get(http, byIp + "/v1/secret", TOKEN).statusCode());
    String byName = "https://localhost:" + server.port();
    assertEquals(200, get(trusting(certs.ca(), byName), byName + "/healthz", null).statusCode());
  }

  @Test
  void theKeyIsPkcs8AndReadableByItsOwnerAlone() throws Exception {
    LabCertificates.Issued certs = LabCertificates.write(dir, List.of("127.0.0.1"));
    assertTrue(Files.readString(certs.key()).startsWith("-----BEGIN PRIVATE KEY-----\n"));
    assertEquals(java.util.Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
        Files.getPosixFilePermissions(certs.key()));
    assertTrue(Files.readString(certs.ca()).startsWith("-----BEGIN CERTIFICATE-----\n"));
  }

  @Test
  void theJvmTrustStoreDoesNotKnowTheLabCa() {
    serve(LabCertificates.CONTROLLER_NAMES);
    String url = "https://127.0.0.1:" + server.port();
    HttpClient http = ControllerTrust.systemDefault().builder(url).connectTimeout(Duration.ofSeconds(5)).build();
    assertThrows(SSLHandshakeException.class, () -> get(http, url + "/healthz", null));
  }

  @Test
  void anotherCaIsRefused() {
    serve(LabCertificates.CONTROLLER_NAMES);
    LabCertificates.Issued other = LabCertificates.write(dir.resolve("other"), LabCertificates.CONTROLLER_NAMES);
    String url = "https://127.0.0.1:" + server.port();
    assertThrows(SSLHandshakeException.class, () -> get(trusting(other.ca(), url), url + "/healthz", null));
  }

  @Test
  void aHostNameTheCertificateLacksIsRefused() {
    LabCertificates.Issued certs = serve(List.of("localhost")); // no IP SAN
    String url = "https://127.0.0.1:" + server.port();
    assertThrows(SSLHandshakeException.class, () -> get(trusting(certs.ca(), url), url + "/healthz", null),
        "host names are verified: the CA's signature alone is not enough");
  }

  @Test
  void plainHttpToTheTlsPortGetsNoAnswer() throws Exception {
    serve(LabCertificates.CONTROLLER_NAMES);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] got = in.readAllBytes(); // the server closes the connection
      String text = new String(got, StandardCharsets.ISO_8859_1);
      assertTrue(!text.contains("HTTP/1.1") && !text.contains("\"ok\""), "no HTTP answer on the TLS port: " + text);
    }
    HttpClient plain = ControllerTrust.of(null, true).builder("http://127.0.0.1").build();
    assertThrows(IOException.class, () -> get(plain, "http://127.0.0.1:" + server.port() + "/healthz", null));
  }

  @Test
  void renewedFilesAreServedToNewConnections() throws Exception {
    LabCertificates.Issued first = LabCertificates.write(dir.resolve("tls"), LabCertificates.CONTROLLER_NAMES);
    ServerTls tls = ServerTls.fromPem(first.cert(), first.key());
    server = ApiServer.start("127.0.0.1", 0, new Router().add("GET", "/healthz", null,
        r -> ApiResponse.json(200, "{}")), t -> Optional.empty(), "/healthz"::equals, 4096, ApiHandler.Observer.NONE,
        tls);
    String url = "https://127.0.0.1:" + server.port();
    assertEquals(200, get(trusting(first.ca(), url), url + "/healthz", null).statusCode());
    Path firstCa = Files.copy(first.ca(), dir.resolve("first-ca.crt"));
    LabCertificates.Issued renewed = LabCertificates.write(dir.resolve("tls"), LabCertificates.CONTROLLER_NAMES);
    tls.recheckNow();
    // a fresh client (no kept-alive connection): the new CA's certificate is what the server now shows
    assertEquals(200, get(trusting(renewed.ca(), url), url + "/healthz", null).statusCode());
    assertThrows(SSLHandshakeException.class, () -> get(trusting(firstCa, url), url + "/healthz", null),
        "the first pair is no longer served");
  }
}

package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 0 ok, 1 refused or failed, 2 usage, 3 cannot reach or authenticate: the same for every API command. */
class ExitCodesTest {
  @TempDir Path dir;
  private HttpServer server;
  private Path token;
  /** The status the fake controller answers every request with. */
  private volatile int status = 200;
  private final java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    token = Files.writeString(dir.resolve("token"), "t0k3n");
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", x -> {
      requests.incrementAndGet();
      byte[] body = (status == 200 ? "[]" : "{\"error\":\"status " + status + "\"}").getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(status, body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  /** The fake controller speaks plain HTTP: every call says so with --insecure-http. */
  private CommandTreeTest.Run audit(String url) {
    return CommandTreeTest.palisade("audit", "--url", url, "--insecure-http", "--token-file", token.toString());
  }

  @Test
  void aPlainHttpUrlWithoutInsecureHttpIsRefusedBeforeTheTokenIsSent() {
    CommandTreeTest.Run r = CommandTreeTest.palisade("audit", "--url", url(), "--token-file", token.toString());
    assertEquals(3, r.code(), r.err());
    assertTrue(r.err().contains("is plain HTTP") && r.err().contains("--insecure-http"), r.err());
    assertEquals(0, requests.get(), "no request, so no token, went out");
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Test
  void anAnsweredCallIsZero() {
    CommandTreeTest.Run r = audit(url());
    assertEquals(ExitCodes.OK, r.code(), r.err());
  }

  @Test
  void aRefusalIsOne() {
    status = 404;
    CommandTreeTest.Run r = audit(url());
    assertEquals(ExitCodes.FAILED, r.code(), r.err());
    assertTrue(r.err().startsWith("palisade audit: GET /v1/audit: 404"), r.err());
  }

  @Test
  void usageErrorsAreTwoWhetherPicocliOrTheCommandFindsThem() {
    assertEquals(2, CommandTreeTest.palisade("graph", "show", "--no-such-option").code());
    assertEquals(2, CommandTreeTest.palisade("lab", "up", "--nodes", "many").code());
    CommandTreeTest.Run badPort = CommandTreeTest.palisade("approve", "a/Pod/x", "a/Pod/y", "5432", "--url", url(),
        "--insecure-http", "--token-file", token.toString());
    assertEquals(2, badPort.code());
    assertTrue(badPort.err().contains("'5432' is not PORT/PROTO") && badPort.err().contains("Usage:"), badPort.err());
  }

  @Test
  void aClosedPortIsThree() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    CommandTreeTest.Run r = audit("http://127.0.0.1:" + closed);
    assertEquals(3, r.code(), r.err());
    assertTrue(r.err().contains("cannot reach the controller at http://127.0.0.1:" + closed), r.err());
    assertTrue(r.err().lines().count() == 1, "one line, no stack trace: " + r.err());
  }

  @Test
  void unauthenticatedAndForbiddenAreThree() {
    for (int code : new int[] {401, 403}) {
      status = code;
      CommandTreeTest.Run r = audit(url());
      assertEquals(3, r.code(), code + ": " + r.err());
      assertTrue(r.err().contains(": " + code + " "), r.err());
    }
  }

  @Test
  void noTokenIsThree() {
    // PALISADE_TOKEN may be set where tests run: a token file that is not there cannot be
    CommandTreeTest.Run r = CommandTreeTest.palisade("audit", "--url", url(), "--token-file",
        dir.resolve("missing").toString());
    assertEquals(3, r.code(), r.err());
    assertTrue(r.err().contains("cannot read token file"), r.err());
  }

  @Test
  void aBugKeepsItsStackTraceAndIsOne() {
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine audit = Main.commandLine().getSubcommands().get("audit");
    audit.setErr(new java.io.PrintWriter(err));
    int code = new ExitCodes.Handler().handleExecutionException(new NullPointerException("x"), audit, null);
    assertEquals(ExitCodes.FAILED, code);
    assertTrue(err.toString().startsWith("palisade audit: unexpected error") && err.toString().contains("\tat "),
        err.toString());
  }
}

package dev.palisade.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `palisade ci check` against a controller's graph API (a stand-in serving a fixed /v1/graph). */
class CiCheckCommandTest {
  private static final String GRAPH = """
      {"revision":4,"edges":[
       {"source":"shop/Deployment/web","destination":"shop/Deployment/api","protocol":"TCP","port":9090,
        "status":"learned","class":"service","count":5,"sourcePods":["shop/web-1"]},
       {"source":"host","destination":"shop/Deployment/api","protocol":"TCP","port":9090,"status":"learned",
        "class":"probe","count":9,"sourcePods":[]},
       {"source":"shop/Deployment/api","destination":"shop/Deployment/coupons","protocol":"TCP","port":7070,
        "status":"learned","class":"service","count":2,"sourcePods":["shop/api-1"]}]}
      """;
  @TempDir Path dir;
  private HttpServer server;

  @BeforeEach
  void serve() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/graph", x -> {
      boolean ok = "Bearer viewer-token".equals(x.getRequestHeaders().getFirst("Authorization"));
      byte[] body = (ok ? GRAPH : "{\"error\":\"unauthorized\"}").getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(ok ? 200 : 401, body.length);
      x.getResponseBody().write(body);
      x.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String check(int expected, String token) throws Exception {
    Path tokenFile = Files.writeString(dir.resolve("token"), token);
    Path base = Files.createDirectories(dir.resolve("approved"));
    Files.writeString(base.resolve("shop.yaml"), """
        apiVersion: palisade.dev/v1alpha1
        kind: ApprovedGraph
        metadata: {namespace: shop, name: shop}
        spec:
          edges: [{from: shop/Deployment/web, to: shop/Deployment/api, port: 9090}]
        """);
    PrintStream stdout = System.out;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
      code = new CommandLine(new Main()).execute("ci", "check", "--url", "http://127.0.0.1:" + server.getAddress().getPort(),
          "--insecure-http", "--token-file", tokenFile.toString(), "--baseline", base.toString(), "--report-dir", dir.resolve("r").toString());
    } finally {
      System.setOut(stdout);
    }
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertEquals(expected, code, out);
    return out;
  }

  @Test
  void judgesTheLearnedServiceEdgesAgainstTheBaseline() throws Exception {
    check(1, "viewer-token");
    String junit = Files.readString(dir.resolve("r/junit.xml"));
    assertTrue(junit.contains("tests=\"2\" failures=\"1\""), junit);
    assertTrue(junit.contains("name=\"shop/Deployment/api -&gt; shop/Deployment/coupons 7070/TCP\">\n    <failure type=\"new\""),
        junit);
    assertTrue(Files.readString(dir.resolve("r/patch.yaml")).contains("to: \"shop/Deployment/coupons\""));
  }

  @Test
  void aRefusedTokenIsExit3SayingWhy() throws Exception {
    String out = check(3, "wrong");
    assertTrue(out.contains("GET /v1/graph: 401"), out);
  }
}

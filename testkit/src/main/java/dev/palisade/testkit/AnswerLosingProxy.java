package dev.palisade.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A plain-HTTP loopback proxy in front of a controller that loses answers, for testing how a
 * client sends a decision again. Every request is passed on and the controller decides it; for the
 * POSTs a test chose, the controller's answer then never reaches the client: the connection is
 * closed unanswered ({@link #UNANSWERED}, as after a reset or a client's timeout) or a status comes
 * back instead (504, as from a gateway that gave up waiting). It keeps the body of every POST,
 * so a test can check that a retry sent the same decision with the same id.
 */
public final class AnswerLosingProxy implements AutoCloseable {
  /** Close the connection without an answer. */
  public static final int UNANSWERED = 0;
  /** Headers a client sends that the controller reads; the rest are the connection's, not the request's. */
  private static final Set<String> PASSED = Set.of("Authorization", "Content-Type", "Accept");

  private final URI upstream;
  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Map<String, Queue<Integer>> losses = new HashMap<>();
  private final Map<String, List<String>> posted = new HashMap<>();

  private AnswerLosingProxy(URI upstream) throws IOException {
    this.upstream = upstream;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(pool); // a browser opens several connections at once
    server.createContext("/", this::handle);
    server.start();
  }

  /** A proxy to {@code upstream} (http://127.0.0.1:PORT), listening on a free loopback port. */
  public static AnswerLosingProxy to(String upstream) throws IOException {
    return new AnswerLosingProxy(URI.create(upstream));
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * Loses the answer of the next POST to {@code path} not already losing one: {@link #UNANSWERED},
   * or the status to answer instead. Called several times, it loses that many answers in a row.
   */
  public synchronized AnswerLosingProxy lose(String path, int insteadStatus) {
    if (insteadStatus != UNANSWERED && (insteadStatus < 100 || insteadStatus > 599)) {
      throw new IllegalArgumentException("an HTTP status or UNANSWERED, not " + insteadStatus);
    }
    losses.computeIfAbsent(path, p -> new ArrayDeque<>()).add(insteadStatus);
    return this;
  }

  /** The bodies of the POSTs to {@code path}, in the order they came. */
  public synchronized List<String> posted(String path) {
    return List.copyOf(posted.getOrDefault(path, List.of()));
  }

  private synchronized Integer nextLoss(String method, String path, String body) {
    if (!method.equals("POST")) {
      return null;
    }
    posted.computeIfAbsent(path, p -> new ArrayList<>()).add(body);
    Queue<Integer> q = losses.get(path);
    return q == null ? null : q.poll();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ex.getRequestBody().readAllBytes();
      String method = ex.getRequestMethod();
      HttpRequest.Builder b = HttpRequest.newBuilder(upstream.resolve(ex.getRequestURI().toString()))
          .timeout(Duration.ofSeconds(30))
          .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
      ex.getRequestHeaders().forEach((name, values) -> {
        if (PASSED.stream().anyMatch(name::equalsIgnoreCase)) {
          values.forEach(v -> b.header(name, v));
        }
      });
      HttpResponse<byte[]> r;
      try {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      // decided by the controller before its answer is lost: that is what a client must survive
      Integer loss = nextLoss(method, ex.getRequestURI().getPath(), new String(body, StandardCharsets.UTF_8));
      if (loss != null && loss == UNANSWERED) {
        return; // closing an exchange that sent no headers closes its connection unanswered
      }
      if (loss != null) {
        send(ex, loss, "text/plain", ("lost by the test's proxy; the controller answered " + r.statusCode())
            .getBytes(StandardCharsets.UTF_8));
        return;
      }
      send(ex, r.statusCode(), r.headers().firstValue("Content-Type").orElse("text/plain"), r.body());
    }
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}

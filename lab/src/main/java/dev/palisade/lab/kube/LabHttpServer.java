package dev.palisade.lab.kube;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.HttpServerRequestHandler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The HTTPS server in front of {@link LabApiDispatcher}, in place of fabric8's MockWebServer: the
 * mock server answers each request with one whole {@link MockResponse} (or a WebSocket), so it
 * cannot stream the chunked watch responses kubectl's {@code get -w} reads. This server hands
 * those to {@link WatchStreams} and everything else to the mock server's own request handler,
 * which turns the dispatcher's MockResponses and WebSocket listeners into vert.x responses exactly
 * as MockWebServer does.
 *
 * <p>HTTP/1.1 only (no ALPN h2), as the mock server was used, with a self-signed certificate made
 * at each start.
 */
final class LabHttpServer {
  private static final List<String> WEBSOCKET_SUB_PROTOCOLS =
      List.of("v1.channel.k8s.io", "v2.channel.k8s.io", "v3.channel.k8s.io", "v4.channel.k8s.io");

  private final Vertx vertx;
  private final HttpServer server;
  private final LabApiDispatcher dispatcher;

  private LabHttpServer(Vertx vertx, HttpServer server, LabApiDispatcher dispatcher) {
    this.vertx = vertx;
    this.server = server;
    this.dispatcher = dispatcher;
  }

  /** Serves {@code dispatcher} on {@code address}:{@code port} (0: a free port). */
  static LabHttpServer serve(LabApiDispatcher dispatcher, InetAddress address, int port) {
    Vertx vertx = Vertx.vertx();
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    HttpServerOptions options = new HttpServerOptions().setHost(address.getHostAddress()).setPort(port)
        .setSsl(true).setKeyCertOptions(certificate.keyCertOptions())
        .setAlpnVersions(List.of(HttpVersion.HTTP_1_1))
        .setWebSocketSubProtocols(WEBSOCKET_SUB_PROTOCOLS).setHandle100ContinueAutomatically(true)
        .setWebSocketClosingTimeout(1);
    HttpServerRequestHandler mock = new HttpServerRequestHandler(vertx) {
      @Override
      protected MockResponse onHttpRequest(RecordedRequest request) {
        return dispatcher.dispatch(request);
      }
    };
    WatchStreams streams = new WatchStreams(vertx, dispatcher);
    HttpServer server = vertx.createHttpServer(options).requestHandler(request -> {
      // A WebSocket watch is authenticated and authorized as a streamed one (401/403 fail the
      // upgrade) and, when allowed, declined with an empty 200, on which fabric8 falls back to a
      // streamed HTTP watch (kubectl never asks for a WebSocket). The mock server's own WebSocket
      // watch, when its client dies (an agent killed -9), waits up to a minute for its sender to
      // stop ON THE EVENT LOOP, and the whole API server stops answering meanwhile.
      if (isWebSocketWatch(request)) {
        streams.decline(request, recorded(request));
        return;
      }
      if (isStreamedWatch(request)) {
        streams.serve(request, recorded(request));
      } else {
        mock.handle(request);
      }
    });
    try {
      server.listen().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("the lab API server cannot listen on " + address.getHostAddress() + ":" + port
          + ": " + e.getMessage(), e);
    }
    return new LabHttpServer(vertx, server, dispatcher);
  }

  /** A watch asked for as a WebSocket upgrade (fabric8's first try). */
  static boolean isWebSocketWatch(HttpServerRequest request) {
    String upgrade = request.getHeader("Upgrade");
    String watch = request.getParam("watch");
    return request.method() == io.vertx.core.http.HttpMethod.GET && upgrade != null
        && upgrade.toLowerCase(Locale.ROOT).contains("websocket") && ("true".equals(watch) || "1".equals(watch));
  }

  /** A watch GET that is not a WebSocket upgrade: kubectl's {@code get -w}, client-go's watches. */
  static boolean isStreamedWatch(HttpServerRequest request) {
    String upgrade = request.getHeader("Upgrade");
    if (request.method() != io.vertx.core.http.HttpMethod.GET
        || (upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket"))) {
      return false;
    }
    String watch = request.getParam("watch");
    return "true".equals(watch) || "1".equals(watch);
  }

  private static RecordedRequest recorded(HttpServerRequest request) {
    Headers headers = Headers.builder().addAll(request.headers()).build();
    return new RecordedRequest(request.version().alpnName().toUpperCase(Locale.ROOT), HttpMethod.GET, request.uri(),
        headers, new Buffer());
  }

  int port() {
    return server.actualPort();
  }

  /** Stops listening; open connections, watches among them, break. */
  void stop() {
    dispatcher.shutdown();
    try {
      server.close().await(10, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the lab API server did not stop: " + e.getMessage(), e);
    }
  }
}

package dev.palisade.lab.kube;

import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves watches over a chunked HTTP response (kubectl's {@code get -w}) from the store, which
 * streams watch events over WebSockets only: the store's WebSocket listener is opened on a
 * {@link WebSocket} of our own whose messages become response lines ({@link WatchEventTranslator}).
 * The watch ends when the client goes away (the store forgets its listener), after the request's
 * {@code timeoutSeconds}, or when the server stops.
 */
final class WatchStreams {
  private static final Logger LOG = LoggerFactory.getLogger(WatchStreams.class);

  private final Vertx vertx;
  private final LabApiDispatcher dispatcher;
  private final Clock clock = Clock.systemUTC();

  WatchStreams(Vertx vertx, LabApiDispatcher dispatcher) {
    this.vertx = vertx;
    this.dispatcher = dispatcher;
  }

  /**
   * A watch asked for as a WebSocket: refused as a streamed one would be (401, 403, 410...), else
   * answered with an empty 200 and never opened, so the client falls back to a streamed watch.
   */
  void decline(HttpServerRequest request, RecordedRequest recorded) {
    LabApiDispatcher.StreamedWatch watch = dispatcher.openStreamedWatch(recorded);
    if (watch instanceof LabApiDispatcher.StreamedWatch.Refused refused) {
      refuse(request.response(), refused);
      return;
    }
    // and the connection closed: a declined upgrade must not leave a connection (an fd on both
    // sides) behind per watch
    request.response().setStatusCode(200).putHeader("Connection", "close").end();
    request.connection().close();
  }

  private static void refuse(HttpServerResponse response, LabApiDispatcher.StreamedWatch.Refused refused) {
    MockResponse r = refused.response();
    response.setStatusCode(r.code());
    r.getHeaders().toMultimap().forEach((name, values) -> response.headers().add(name, values));
    response.end(io.vertx.core.buffer.Buffer.buffer(r.getBody() == null ? new byte[0] : r.getBody().getBytes()));
  }

  void serve(HttpServerRequest request, RecordedRequest recorded) {
    HttpServerResponse response = request.response();
    LabApiDispatcher.StreamedWatch watch = dispatcher.openStreamedWatch(recorded);
    if (watch instanceof LabApiDispatcher.StreamedWatch.Refused refused) {
      refuse(response, refused);
      return;
    }
    LabApiDispatcher.StreamedWatch.Opened opened = (LabApiDispatcher.StreamedWatch.Opened) watch;
    WatchEventTranslator translator = new WatchEventTranslator(recorded.getPath().contains("resourceVersion=")
        ? param(request, "resourceVersion") : "", opened.table(), opened.printer());
    AtomicBoolean ended = new AtomicBoolean();
    WebSocket socket = new WebSocket() {
      @Override
      public RecordedRequest request() {
        return recorded;
      }

      @Override
      public boolean send(String text) {
        if (ended.get()) {
          return false;
        }
        Optional<String> line;
        synchronized (translator) {
          line = translator.translate(text, clock.instant());
        }
        line.ifPresent(response::write);
        return true;
      }

      @Override
      public boolean send(byte[] bytes) {
        return send(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
      }

      @Override
      public boolean close(int code, String reason) {
        if (ended.compareAndSet(false, true)) {
          response.end();
        }
        return true;
      }
    };
    Runnable finish = () -> {
      if (ended.compareAndSet(false, true)) {
        opened.listener().onClosed(socket, 1000, "watch ended");
        if (!response.ended() && !response.closed()) {
          response.end();
        }
      }
    };
    response.setStatusCode(200).setChunked(true).putHeader("Content-Type", LabApiDispatcher.JSON);
    response.closeHandler(v -> finish.run());
    response.exceptionHandler(e -> finish.run());
    long timeout = seconds(param(request, "timeoutSeconds"));
    if (timeout > 0) {
      vertx.setTimer(timeout * 1000, t -> finish.run());
    }
    response.writeHead();
    LOG.debug("streaming watch {}", recorded.getPath());
    opened.listener().onOpen(socket, new MockResponse());
  }

  private static String param(HttpServerRequest request, String name) {
    String v = request.getParam(name);
    return v == null ? "" : v;
  }

  private static long seconds(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}

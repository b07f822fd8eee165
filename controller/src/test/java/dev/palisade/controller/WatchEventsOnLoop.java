package dev.palisade.controller;

import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.CustomResourceAware;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.Resetable;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.Objects;

/**
 * A fabric8 mock API server dispatcher changed in one thing: a watch's events are written by the
 * server's event loop instead of by the watch's own sending thread waiting on it. It wraps any
 * {@link Dispatcher} whose responses may carry the CRUD store's watch listener: fabric8's
 * {@link KubernetesMixedDispatcher} (what {@code @EnableKubernetesMockClient(crud = true)} and
 * {@link MockApiServer} use), its {@code KubernetesCrudDispatcher} and subclasses of it, or a
 * dispatcher that hands requests on to one. Build the server on {@link #wrap(Dispatcher)}.
 *
 * <p>Why: in kubernetes-server-mock 8.0.0 each watch ({@code WatchEventsListener}) sends its events
 * from a single-thread executor through {@code VertxMockWebSocket.send}, which off the event loop
 * waits up to 30 s for the write, and the write is done by the event loop. When the client closes
 * the watch, {@code WatchEventsListener.onClosed} runs on that event loop and waits up to a minute
 * for the executor to end ({@code awaitTermination}). If an event is being sent at that moment (a
 * watch opens with an ADDED event for each object it matches, so a controller stopped soon after its
 * start can close a watch mid-send) each waits for the other: the server's event loop stops for
 * 30 s, and {@code MockWebServer.shutdown()}, which gives {@code HttpServer.close()} 10 s, fails
 * with "Unable to close MockWebServer" (TimeoutException), after the test itself passed.
 *
 * <p>Handing each write to the event loop (where {@code VertxMockWebSocket.send} does not wait)
 * leaves the sending thread nothing to wait for, so {@code onClosed} waits only for sends already
 * handed over. The close a watch queues behind its sends is handed over the same way, so the
 * loop still writes events and close in the order the watch queued them. Every other request and
 * listener goes through unchanged.
 *
 * <p>The server sees the wrapper as it would see the wrapped dispatcher: {@link KubernetesMockServer}
 * asks its dispatcher only whether it is {@link Resetable} (for {@code reset()}) and
 * {@link CustomResourceAware} (for {@code expectCustomResource}, else it records expectations
 * itself), so {@link #wrap} returns a wrapper that is each of these exactly when the wrapped
 * dispatcher is, and passes those calls on to it.
 */
public class WatchEventsOnLoop extends Dispatcher {
  /** The CRUD dispatcher's watch listener (package-private in fabric8, so named, not referenced). */
  private static final String WATCH_LISTENER = "io.fabric8.kubernetes.client.server.mock.WatchEventsListener";
  final Dispatcher dispatcher;

  private WatchEventsOnLoop(Dispatcher dispatcher) {
    this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
  }

  /**
   * {@code dispatcher} with its watches' events written on the server's event loop: a
   * {@link Resetable} and a {@link CustomResourceAware} exactly when {@code dispatcher} is one.
   */
  public static Dispatcher wrap(Dispatcher dispatcher) {
    boolean resets = dispatcher instanceof Resetable;
    boolean customResources = dispatcher instanceof CustomResourceAware;
    if (resets && customResources) {
      return new Both(dispatcher);
    }
    if (resets) {
      return new Resets(dispatcher);
    }
    return customResources ? new CustomResources(dispatcher) : new WatchEventsOnLoop(dispatcher);
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    MockResponse response = dispatcher.dispatch(request);
    WebSocketListener listener = response == null ? null : response.getWebSocketListener();
    if (listener != null && listener.getClass().getName().equals(WATCH_LISTENER)) {
      response.withWebSocketUpgrade(new SendsOnLoop(listener));
    }
    return response;
  }

  @Override
  public void shutdown() {
    dispatcher.shutdown();
  }

  @Override
  public void releaseResources() {
    dispatcher.releaseResources();
  }

  /** Over a {@link Resetable} dispatcher that is not {@link CustomResourceAware}. */
  private static final class Resets extends WatchEventsOnLoop implements Resetable {
    Resets(Dispatcher dispatcher) {
      super(dispatcher);
    }

    @Override
    public void reset() {
      ((Resetable) dispatcher).reset();
    }
  }

  /** Over a {@link CustomResourceAware} dispatcher that is not {@link Resetable}. */
  private static final class CustomResources extends WatchEventsOnLoop implements CustomResourceAware {
    CustomResources(Dispatcher dispatcher) {
      super(dispatcher);
    }

    @Override
    public void expectCustomResource(CustomResourceDefinitionContext context) {
      ((CustomResourceAware) dispatcher).expectCustomResource(context);
    }
  }

  /** Over a dispatcher that is both (fabric8's mixed and CRUD dispatchers, and subclasses of them). */
  private static final class Both extends WatchEventsOnLoop implements Resetable, CustomResourceAware {
    Both(Dispatcher dispatcher) {
      super(dispatcher);
    }

    @Override
    public void reset() {
      ((Resetable) dispatcher).reset();
    }

    @Override
    public void expectCustomResource(CustomResourceDefinitionContext context) {
      ((CustomResourceAware) dispatcher).expectCustomResource(context);
    }
  }

  /** A watch listener that, once open, sends through the event loop it was opened on. */
  private static final class SendsOnLoop extends WebSocketListener {
    private final WebSocketListener watch;

    SendsOnLoop(WebSocketListener watch) {
      this.watch = watch;
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
      Context loop = Vertx.currentContext(); // onOpen runs on the connection's event loop
      watch.onOpen(loop == null ? webSocket : new OnLoop(webSocket, loop), response);
    }

    @Override
    public void onBeforeAccept(WebSocket webSocket, Response response) {
      watch.onBeforeAccept(webSocket, response);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
      watch.onMessage(webSocket, text);
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
      watch.onMessage(webSocket, bytes);
    }

    @Override
    public void onMessage(WebSocket webSocket, byte[] bytes) {
      watch.onMessage(webSocket, bytes);
    }

    @Override
    public void onPing(WebSocket webSocket, byte[] bytes) {
      watch.onPing(webSocket, bytes);
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
      watch.onClosing(webSocket, code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
      watch.onClosed(webSocket, code, reason);
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
      watch.onFailure(webSocket, t, response);
    }
  }

  /** The watch's socket, written only on its event loop: handing a write over never waits. */
  private record OnLoop(WebSocket socket, Context loop) implements WebSocket {
    @Override
    public RecordedRequest request() {
      return socket.request();
    }

    @Override
    public boolean send(String text) {
      loop.runOnContext(v -> socket.send(text));
      return true;
    }

    @Override
    public boolean send(byte[] bytes) {
      loop.runOnContext(v -> socket.send(bytes));
      return true;
    }

    @Override
    public boolean close(int code, String reason) {
      loop.runOnContext(v -> socket.close(code, reason));
      return true;
    }
  }
}

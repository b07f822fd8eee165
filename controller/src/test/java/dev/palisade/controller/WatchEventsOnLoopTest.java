package dev.palisade.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.CustomResourceAware;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.Resetable;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.QueueDispatcher;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The mock API server of {@link MockApiServer} keeps answering when watches are closed in the
 * middle of their opening burst of ADDED events, and its close (the extension's, after each test)
 * succeeds. With fabric8's own CRUD dispatcher the first such close stops the server's event loop
 * for 30 s: the next request times out (the client's 10 s), and so would the server's close. The
 * same holds for a server built directly on fabric8's plain CRUD dispatcher through
 * {@link WatchEventsOnLoop#wrap} (as the lab's controller tests build theirs).
 */
@MockApiServer
class WatchEventsOnLoopTest {
  private static final int OBJECTS = 200; // a burst long enough that a close lands in it
  KubernetesClient client;

  private static void objects(KubernetesClient client) {
    for (int i = 0; i < OBJECTS; i++) {
      client.configMaps().inNamespace("x").resource(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i)
          .withNamespace("x").endMetadata().addToData("k", "v".repeat(200)).build()).create();
    }
  }

  @Test
  void closingWatchesMidBurstLeavesTheServerAnswering() throws Exception {
    objects(client);
    closeWatchesMidBurst(client);
  }

  @Test
  void closingWatchesMidBurstLeavesAWrappedPlainCrudServerAnsweringAndClosable() throws Exception {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        WatchEventsOnLoop.wrap(new KubernetesCrudDispatcher()), false);
    server.init();
    try (KubernetesClient plain = server.createClient()) {
      objects(plain);
      closeWatchesMidBurst(plain);
    } finally {
      server.destroy(); // throws "Unable to close MockWebServer" when the event loop is stuck
    }
  }

  @Test
  void theWrapperIsResetableOrCustomResourceAwareExactlyWhenTheWrappedDispatcherIs() {
    for (Dispatcher both : List.of(new KubernetesMixedDispatcher(new HashMap<>()), new KubernetesCrudDispatcher())) {
      Dispatcher wrapped = WatchEventsOnLoop.wrap(both);
      assertInstanceOf(Resetable.class, wrapped, both.getClass().getName());
      assertInstanceOf(CustomResourceAware.class, wrapped, both.getClass().getName());
    }
    Dispatcher neither = WatchEventsOnLoop.wrap(new QueueDispatcher());
    assertFalse(neither instanceof Resetable);
    assertFalse(neither instanceof CustomResourceAware, "else the server would not record the expectations itself");

    List<String> calls = new CopyOnWriteArrayList<>();
    Dispatcher resets = WatchEventsOnLoop.wrap(new Resets(calls));
    assertFalse(resets instanceof CustomResourceAware);
    ((Resetable) resets).reset();
    Dispatcher customResources = WatchEventsOnLoop.wrap(new CustomResources(calls));
    assertFalse(customResources instanceof Resetable);
    ((CustomResourceAware) customResources).expectCustomResource(new CustomResourceDefinitionContext.Builder()
        .withGroup("palisade.dev").withVersion("v1").withPlural("things").build());
    assertEquals(List.of("reset", "expect things"), calls, "both are passed on to the wrapped dispatcher");
  }

  /** A dispatcher that is only {@link Resetable}. */
  private static final class Resets extends QueueDispatcher implements Resetable {
    private final List<String> calls;

    Resets(List<String> calls) {
      this.calls = calls;
    }

    @Override
    public void reset() {
      calls.add("reset");
    }
  }

  /** A dispatcher that is only {@link CustomResourceAware}. */
  private static final class CustomResources extends QueueDispatcher implements CustomResourceAware {
    private final List<String> calls;

    CustomResources(List<String> calls) {
      this.calls = calls;
    }

    @Override
    public void expectCustomResource(CustomResourceDefinitionContext context) {
      calls.add("expect " + context.getPlural());
    }
  }

  private static void closeWatchesMidBurst(KubernetesClient client) throws Exception {
    for (int round = 0; round < 20; round++) {
      CountDownLatch first = new CountDownLatch(1);
      Watch watch = client.configMaps().inNamespace("x").watch(watcher(e -> first.countDown()));
      assertTrue(first.await(10, TimeUnit.SECONDS), "no event in round " + round);
      watch.close();
      assertNotNull(client.configMaps().inNamespace("x").withName("cm-0").get(), "round " + round);
    }
  }

  @Test
  void aWatchStillGetsEveryEventInOrder() throws Exception {
    objects(client);
    List<String> events = new CopyOnWriteArrayList<>();
    CountDownLatch modified = new CountDownLatch(1);
    Watch watch = client.configMaps().inNamespace("x").watch(watcher(e -> {
      events.add(e);
      if (e.startsWith("MODIFIED")) {
        modified.countDown();
      }
    }));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (events.size() < OBJECTS) {
      assertTrue(System.nanoTime() < deadline, events.size() + " events of " + OBJECTS);
      Thread.sleep(10);
    }
    client.configMaps().inNamespace("x").withName("cm-0").edit(cm -> new ConfigMapBuilder(cm).addToData("k", "w").build());
    assertTrue(modified.await(10, TimeUnit.SECONDS));
    watch.close();
    assertEquals(OBJECTS + 1, events.size(), events.toString());
    assertEquals(OBJECTS, events.stream().filter(e -> e.startsWith("ADDED")).distinct().count());
    assertEquals("MODIFIED cm-0", events.get(OBJECTS));
  }

  private static Watcher<ConfigMap> watcher(java.util.function.Consumer<String> events) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, ConfigMap resource) {
        events.accept(action + " " + resource.getMetadata().getName());
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }
}

package dev.palisade.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The mock API server of {@link MockApiServer} keeps answering when watches are closed in the
 * middle of their opening burst of ADDED events, and its close (the extension's, after each test)
 * succeeds. With fabric8's own CRUD dispatcher the first such close stops the server's event loop
 * for 30 s: the next request times out (the client's 10 s), and so would the server's close.
 */
@MockApiServer
class WatchEventsOnLoopTest {
  private static final int OBJECTS = 200; // a burst long enough that a close lands in it
  KubernetesClient client;

  @BeforeEach
  void objects() {
    for (int i = 0; i < OBJECTS; i++) {
      client.configMaps().inNamespace("x").resource(new ConfigMapBuilder().withNewMetadata().withName("cm-" + i)
          .withNamespace("x").endMetadata().addToData("k", "v".repeat(200)).build()).create();
    }
  }

  @Test
  void closingWatchesMidBurstLeavesTheServerAnswering() throws Exception {
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

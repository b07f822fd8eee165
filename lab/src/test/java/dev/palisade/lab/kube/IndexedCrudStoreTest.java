package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.WatchEventsOnLoop;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The indexed store answers exactly as fabric8's own store does: the same script of writes (create,
 * conflict, update, JSON and merge patches, label changes, finalizers, deletes) run against both
 * gives the same answers to every read (by name, lists, label selectors, field selectors) and the
 * same watch events, uids and timestamps aside.
 */
class IndexedCrudStoreTest {
  private static final String AL_GROUP = "palisade.dev";
  private static final String AL_VERSION = "v1alpha1";

  /** Reads asked of both stores directly after the script, as paths (what the lab's dispatcher passes on). */
  private static final List<String> PATHS = List.of(
      "/api/v1/namespaces/a/pods/p", "/api/v1/namespaces/b/pods/p", "/api/v1/namespaces/a/pods/q",
      "/api/v1/namespaces/a/pods/missing", "/api/v1/namespaces/a/pods/p/status", "/api/v1/namespaces/a/pods/f",
      "/api/v1/namespaces/a/pods/gone", "/api/v1/namespaces/a/pods/plain",
      "/api/v1/namespaces/a/configmaps/p", "/api/v1/namespaces/b/configmaps/p", "/api/v1/namespaces/a",
      "/api/v1/namespaces/c", "/api/v1/namespaces", "/api/v1/pods", "/api/v1/namespaces/a/pods",
      "/api/v1/namespaces/a/pods?labelSelector=app%3Dapi", "/api/v1/pods?labelSelector=app%21%3Dapi",
      "/api/v1/namespaces/a/pods/p?labelSelector=app%3Dweb", "/api/v1/namespaces/a/pods/p?labelSelector=app%3Dapi",
      "/api/v1/namespaces/a/pods?fieldSelector=metadata.name%3Dp",
      "/api/v1/namespaces/a/pods?fieldSelector=metadata.name%21%3Dp",
      "/apis/" + AL_GROUP + "/" + AL_VERSION + "/namespaces/a/allowlists/p",
      "/apis/" + AL_GROUP + "/" + AL_VERSION + "/namespaces/a/allowlists",
      "/apis/" + AL_GROUP + "/" + AL_VERSION + "/allowlists");

  @BeforeAll
  static void quietMockServer() {
    java.util.logging.Logger.getLogger("io.fabric8.mockwebserver").setLevel(java.util.logging.Level.WARNING);
  }

  @Test
  void answersAsTheStoreItIndexes() throws Exception {
    List<String> plain = transcript(new KubernetesCrudDispatcher(ApiResourceCatalog.customResources()));
    List<String> indexed = transcript(new IndexedCrudStore(ApiResourceCatalog.customResources()));
    assertEquals(plain, indexed);
    // the script did what it says: these answers are in both
    assertTrue(plain.contains("create a/p again: 409"), String.join("\n", plain));
    assertTrue(plain.stream().anyMatch(l -> l.startsWith("GET /api/v1/namespaces/a/pods/missing -> 404")),
        String.join("\n", plain));
    assertTrue(plain.stream().anyMatch(l -> l.startsWith("watch MODIFIED p")), String.join("\n", plain));
    assertTrue(plain.stream().anyMatch(l -> l.startsWith("watch DELETED q")), String.join("\n", plain));
  }

  @Test
  void anObjectPutWithoutAnEventIsFoundByName() {
    IndexedCrudStore store = new IndexedCrudStore(List.of());
    // fabric8's base CRUD write: into the map without passing the index
    store.handleCreate("/api/v1/namespaces/a/configmaps",
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\",\"namespace\":\"a\"}}");
    MockResponse got = store.handleGet("/api/v1/namespaces/a/configmaps/x");
    assertEquals(200, got.code());
    assertTrue(got.getBody().readUtf8().contains("\"name\":\"x\""));
    assertEquals(404, store.handleGet("/api/v1/namespaces/a/configmaps/y").code());
  }

  @Test
  void resetForgetsEveryObject() throws Exception {
    IndexedCrudStore store = new IndexedCrudStore(List.of());
    KubernetesMockServer server = serve(store);
    try (KubernetesClient client = server.createClient()) {
      client.configMaps().inNamespace("a").resource(new ConfigMapBuilder().withNewMetadata().withName("x")
          .endMetadata().build()).create();
      assertEquals(200, store.handleGet("/api/v1/namespaces/a/configmaps/x").code());
      store.reset();
      assertEquals(404, store.handleGet("/api/v1/namespaces/a/configmaps/x").code());
      client.configMaps().inNamespace("a").resource(new ConfigMapBuilder().withNewMetadata().withName("x")
          .endMetadata().build()).create();
      assertEquals(200, store.handleGet("/api/v1/namespaces/a/configmaps/x").code());
    } finally {
      server.destroy();
    }
  }

  /**
   * A mock API server on {@code store}, its watches' events written on the server's event loop
   * ({@link WatchEventsOnLoop}): the same for both stores, so they still answer alike or not.
   */
  private static KubernetesMockServer serve(KubernetesCrudDispatcher store) {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        WatchEventsOnLoop.wrap(store), false);
    server.init();
    return server;
  }

  /** The script's answers, its watch's events, then every read of {@link #PATHS}, as text without uids and times. */
  private static List<String> transcript(KubernetesCrudDispatcher store) throws Exception {
    List<String> out = new ArrayList<>();
    KubernetesMockServer server = serve(store);
    try (KubernetesClient client = server.createClient()) {
      for (String ns : List.of("a", "b")) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
      }
      BlockingQueue<String> events = new LinkedBlockingQueue<>();
      Watch watch = client.pods().inNamespace("a").watch(new Watcher<>() {
        @Override
        public void eventReceived(Action action, Pod pod) {
          events.add("watch " + action + " " + pod.getMetadata().getName() + " rv "
              + pod.getMetadata().getResourceVersion() + " labels " + pod.getMetadata().getLabels());
        }

        @Override
        public void onClose(WatcherException cause) {}
      });
      client.pods().inNamespace("a").resource(pod("p", "web")).create();
      client.pods().inNamespace("b").resource(pod("p", "api")).create();
      client.pods().inNamespace("a").resource(pod("q", "api")).create();
      client.configMaps().inNamespace("a").resource(new ConfigMapBuilder().withNewMetadata().withName("p")
          .endMetadata().addToData("k", "v").build()).create();
      client.genericKubernetesResources(AL_GROUP + "/" + AL_VERSION, "AllowList").inNamespace("a")
          .resource(allowList("p")).create();
      try {
        client.pods().inNamespace("a").resource(pod("p", "db")).create();
        out.add("create a/p again: created");
      } catch (KubernetesClientException e) {
        out.add("create a/p again: " + e.getCode());
      }
      out.add("edit a/q: " + strip(client.pods().inNamespace("a").withName("q")
          .edit(p -> new PodBuilder(p).editMetadata().addToLabels("tier", "1").endMetadata().build())));
      Pod replaced = pod("p", "web");
      replaced.getMetadata().getLabels().put("app", "api"); // a label change moves the object between selections
      out.add("update a/p: " + strip(client.pods().inNamespace("a").resource(replaced).update()));
      out.add("merge patch b/p: " + strip(client.pods().inNamespace("b").withName("p")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}")));
      out.add("patch configmap a/p: " + strip(client.configMaps().inNamespace("a").withName("p")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"k\":\"w\"}}")));
      Pod held = pod("f", "web");
      held.getMetadata().setFinalizers(List.of("palisade.dev/test"));
      client.pods().inNamespace("a").resource(held).create();
      out.add("delete a/f (finalizer): " + client.pods().inNamespace("a").withName("f").delete().size());
      out.add("get a/f after delete: " + strip(client.pods().inNamespace("a").withName("f").get()));
      out.add("delete a/q: " + client.pods().inNamespace("a").withName("q").delete().size());
      out.add("delete a/missing: " + client.pods().inNamespace("a").withName("missing").delete().size());
      client.pods().inNamespace("a").resource(pod("gone", "web")).create();
      client.pods().inNamespace("a").withName("gone").delete();
      // the last event: once it is seen, every earlier one is (the store sends them in order)
      client.pods().inNamespace("a").resource(pod("zz-end", "web")).create();
      String e;
      do {
        e = events.poll(10, TimeUnit.SECONDS);
        out.add(e == null ? "watch: no event within 10 s" : e);
      } while (e != null && !e.startsWith("watch ADDED zz-end"));
      watch.close();
    } finally {
      server.destroy();
    }
    // writes the lab itself makes without the HTTP layer (none today) are left out; reads as the dispatcher asks them
    store.handleCreate("/api/v1/namespaces/a/pods",
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"plain\",\"namespace\":\"a\"}}");
    for (String path : PATHS) {
      MockResponse r = store.handleGet(path);
      out.add("GET " + path + " -> " + r.code() + " " + strip(r.getBody() == null ? "" : r.getBody().readUtf8()));
    }
    return out;
  }

  private static Pod pod(String name, String app) {
    return new PodBuilder().withNewMetadata().withName(name).withLabels(new HashMap<>(Map.of("app", app)))
        .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("i").endContainer().endSpec().build();
  }

  private static GenericKubernetesResource allowList(String name) {
    return new GenericKubernetesResourceBuilder().withApiVersion(AL_GROUP + "/" + AL_VERSION).withKind("AllowList")
        .withNewMetadata().withName(name).endMetadata()
        .withAdditionalProperties(Map.of("spec", Map.of("identity", 7))).build();
  }

  private static String strip(HasMetadata o) {
    return o == null ? "null" : strip(io.fabric8.kubernetes.client.utils.Serialization.asJson(o));
  }

  private static final Function<String, String> NO_UIDS_OR_TIMES = s -> s
      .replaceAll("\"uid\"\\s*:\\s*\"[^\"]*\"", "\"uid\":\"-\"")
      .replaceAll("\"(creationTimestamp|deletionTimestamp)\"\\s*:\\s*\"[^\"]*\"", "\"$1\":\"-\"");

  private static String strip(String json) {
    return NO_UIDS_OR_TIMES.apply(json);
  }
}

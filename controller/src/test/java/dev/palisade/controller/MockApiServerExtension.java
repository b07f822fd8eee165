package dev.palisade.controller;

import io.fabric8.kubernetes.client.Client;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts the {@link MockApiServer} of a test class and sets its fields: what fabric8's
 * {@code KubernetesMockServerExtension} does for {@code @EnableKubernetesMockClient(crud = true)},
 * with the server built on {@link WatchEventsOnLoop}. A server is started only for fields that
 * ask for one, and stopped as fabric8 stops it: the server first, then its client.
 */
public final class MockApiServerExtension
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
  private Running perClass;
  private Running perTest;

  /** A started server and the client of it that the test's fields get. */
  private record Running(KubernetesMockServer server, NamespacedKubernetesClient client) {
    static Running start() {
      Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
      KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()),
          new MockWebServer(), responses, WatchEventsOnLoop.wrap(new KubernetesMixedDispatcher(responses)), true);
      server.init();
      return new Running(server, server.createClient());
    }

    void set(Object instance, List<Field> fields) throws IllegalAccessException {
      for (Field f : fields) {
        f.setAccessible(true);
        f.set(instance, f.getType() == KubernetesMockServer.class ? server : client.adapt(asClient(f.getType())));
      }
    }

    void stop() {
      try {
        server.destroy();
      } finally {
        client.close();
      }
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IllegalAccessException {
    List<Field> fields = fields(context.getRequiredTestClass(), true);
    if (!fields.isEmpty()) {
      perClass = Running.start();
      perClass.set(null, fields);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IllegalAccessException {
    for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
      List<Field> fields = fields(instance.getClass(), false);
      if (!fields.isEmpty()) {
        if (perTest == null) {
          perTest = Running.start();
        }
        perTest.set(instance, fields);
      }
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (perTest != null) {
      Running r = perTest;
      perTest = null;
      r.stop();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (perClass != null) {
      Running r = perClass;
      perClass = null;
      r.stop();
    }
  }

  /** The class's (and its superclasses') client and server fields, static or not. */
  private static List<Field> fields(Class<?> type, boolean statics) {
    List<Field> found = new ArrayList<>();
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        boolean wanted = f.getType() == KubernetesMockServer.class || Client.class.isAssignableFrom(f.getType());
        if (wanted && Modifier.isStatic(f.getModifiers()) == statics) {
          found.add(f);
        }
      }
    }
    return found;
  }

  @SuppressWarnings("unchecked")
  private static Class<? extends Client> asClient(Class<?> type) {
    return (Class<? extends Client>) type;
  }
}

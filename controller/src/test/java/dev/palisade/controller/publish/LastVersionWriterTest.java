package dev.palisade.controller.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.palisade.controller.ReceivedRequests;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What lands is the object as given, in one PUT when nobody wrote in between, whatever happened otherwise. */
class LastVersionWriterTest {
  private KubernetesMockServer server;
  private KubernetesClient client;
  private LastVersionWriter writer;
  private ReceivedRequests requests;

  @BeforeEach
  void start() {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    writer = new LastVersionWriter(client);
    requests = new ReceivedRequests(server);
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  @Test
  void firstWriteCreatesThenEachWriteIsOnePut() throws Exception {
    writer.write(map("1"));
    assertEquals(List.of("POST"), requests.methodsSinceLastCall());
    writer.write(map("2"));
    writer.write(map("3"));
    assertEquals(List.of("PUT", "PUT"), requests.methodsSinceLastCall());
    assertEquals("3", stored().getData().get("v"));
  }

  @Test
  void someoneElsesEditInBetweenIsOverwritten() throws Exception {
    writer.write(map("1"));
    client.configMaps().inNamespace("ns").withName("m").edit(c -> new ConfigMapBuilder(c).addToData("v", "theirs")
        .addToData("extra", "x").build());
    String theirs = stored().getMetadata().getResourceVersion();
    requests.methodsSinceLastCall();
    ConfigMap written = writer.write(map("2"));
    // the PUT at our last version is refused (409); create-or-update writes over their edit
    assertEquals(List.of("PUT", "POST", "GET", "PUT"), requests.methodsSinceLastCall());
    assertEquals(Map.of("v", "2"), stored().getData());
    assertNotEquals(theirs, written.getMetadata().getResourceVersion());
    requests.methodsSinceLastCall(); // the reads just made
    writer.write(map("3"));
    assertEquals(List.of("PUT"), requests.methodsSinceLastCall(), "the version it now wrote is known again");
    assertEquals(Map.of("v", "3"), stored().getData());
  }

  @Test
  void aDeletedObjectIsWrittenAgain() {
    writer.write(map("1"));
    client.configMaps().inNamespace("ns").withName("m").delete();
    writer.write(map("2"));
    assertEquals(Map.of("v", "2"), stored().getData());
  }

  @Test
  void theGivenObjectIsNotChanged() {
    writer.write(map("1"));
    ConfigMap mine = map("2");
    writer.write(mine);
    assertEquals(null, mine.getMetadata().getResourceVersion());
  }

  private ConfigMap stored() {
    return client.configMaps().inNamespace("ns").withName("m").get();
  }

  private static ConfigMap map(String v) {
    return new ConfigMapBuilder().withNewMetadata().withNamespace("ns").withName("m").endMetadata()
        .addToData("v", v).build();
  }


}

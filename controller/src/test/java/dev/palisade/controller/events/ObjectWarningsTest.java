package dev.palisade.controller.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One Warning Event per version of an object's problem, however many controller processes tell it
 * and however often one restarts (each a new ObjectWarnings with nothing remembered): the Event is
 * named after the problem, and a second create of it is refused as already told.
 */
@MockApiServer
class ObjectWarningsTest {
  private static final String REASON = "InvalidPalisadeMode";

  KubernetesClient client;

  private static ObjectReference mode(String resourceVersion) {
    return new ObjectReferenceBuilder().withApiVersion("palisade.dev/v1alpha1").withKind("SegmentationMode")
        .withNamespace("shop").withName("shop-mode").withUid("u-1").withResourceVersion(resourceVersion).build();
  }

  private List<Event> events() {
    return client.v1().events().inNamespace("shop").list().getItems();
  }

  @Test
  void twoControllersAndARestartTellAProblemOnceAndANewVersionOfItAgain() {
    String message = "mode: 'enforcing' is not learn, monitor or enforce";
    ObjectWarnings first = new ObjectWarnings(client, REASON, Runnable::run);
    assertTrue(first.warn(mode("7"), "7 " + message, message));
    assertEquals(1, events().size());
    assertTrue(!first.warn(mode("7"), "7 " + message, message), "this process remembers it");

    ObjectWarnings second = new ObjectWarnings(client, REASON, Runnable::run); // another replica, or a restart
    second.warn(mode("7"), "7 " + message, message);
    assertEquals(1, events().size(), "told already: the create is refused");
    Event told = events().get(0);
    assertEquals(first.nameOf(mode("7"), "7 " + message, message), told.getMetadata().getName());
    assertEquals("u-1", told.getInvolvedObject().getUid());
    assertEquals("Warning", told.getType());
    assertEquals(REASON, told.getReason());

    // fixed (version 8: no problem), then broken again (version 9): a new problem, told once
    second.retainOnly(List.of());
    first.retainOnly(List.of());
    second.warn(mode("9"), "9 " + message, message);
    first.warn(mode("9"), "9 " + message, message);
    assertEquals(2, events().size());
    // the same version with another problem (a clash that appeared) is another one too
    first.warn(mode("9"), "9 two SegmentationModes for shop", "two SegmentationModes for shop");
    assertEquals(3, events().size());
  }
}

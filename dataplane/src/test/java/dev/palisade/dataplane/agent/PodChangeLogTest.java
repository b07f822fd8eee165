package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodChangeLogTest {
  private final Map<String, Pod> store = new HashMap<>();

  private static Pod pod(String name) {
    return new PodBuilder().withNewMetadata().withNamespace("shop").withName(name).endMetadata().build();
  }

  @Test
  void theFirstDrainIsWholeAndLaterOnesHoldTheStoresObjectPerChangedKey() {
    PodChangeLog log = new PodChangeLog(10);
    log.changed("shop/a"); // before the first sync: every pod is read anyway
    assertTrue(log.drain(store::get).whole());
    Pod b = pod("b");
    store.put("shop/b", b);
    log.changed("shop/b");
    log.changed("shop/b");
    log.changed("shop/gone");
    PodDelta d = log.drain(store::get);
    assertFalse(d.whole());
    assertEquals(2, d.changed().size());
    assertSame(b, d.changed().get("shop/b"));
    assertTrue(d.changed().containsKey("shop/gone"));
    assertNull(d.changed().get("shop/gone"), "a pod gone from the store is a deletion");
    assertTrue(log.drain(store::get).changed().isEmpty(), "a drain empties the log");
  }

  @Test
  void tooManyChangesOrAnUntrustedSyncMeanEveryPod() {
    PodChangeLog log = new PodChangeLog(2);
    log.drain(store::get);
    log.changed("shop/a");
    log.changed("shop/b");
    log.changed("shop/c");
    assertTrue(log.drain(store::get).whole(), "past the limit a delta is not worth it");
    log.changed("shop/a");
    log.everything();
    assertTrue(log.drain(store::get).whole());
    assertFalse(log.drain(store::get).whole());
  }

  @Test
  void aLimitBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new PodChangeLog(0));
  }
}

package dev.palisade.controller.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.model.WorkloadRef;
import org.junit.jupiter.api.Test;

class IdentityAllocatorTest {
  @Test
  void identitiesAreStableRestoredAndNeverReused() {
    IdentityAllocator ids = new IdentityAllocator();
    ids.restore(WorkloadRef.parse("shop/Deployment/web"), 300);
    var api = ids.idFor(WorkloadRef.parse("shop/Deployment/api"));
    assertTrue(api.isNew());
    assertEquals(301, api.id());
    assertEquals(300, ids.idFor(WorkloadRef.parse("shop/Deployment/web")).id());
    ids.release(WorkloadRef.parse("shop/Deployment/api"));
    assertNotEquals(301, ids.idFor(WorkloadRef.parse("shop/Deployment/other")).id());
    assertThrows(IllegalArgumentException.class, () -> ids.restore(WorkloadRef.parse("shop/Deployment/x"), 300));
    assertThrows(IllegalArgumentException.class, () -> ids.restore(WorkloadRef.parse("shop/Deployment/y"), 2));
  }

  @Test
  void vertexNamesAreMadeOnceAndForgottenWithTheirWorkload() {
    IdentityAllocator ids = new IdentityAllocator();
    long web = ids.idFor(WorkloadRef.parse("shop/Deployment/web")).id();
    assertEquals("shop/Deployment/web", ids.vertexOf(web));
    assertSame(ids.vertexOf(web), ids.vertexOf(web), "the same String each time");
    assertEquals(java.util.Optional.of(web), ids.findVertex("shop/Deployment/web"));
    assertEquals(java.util.Optional.empty(), ids.findVertex("shop/Deployment/nope"));
    assertEquals(java.util.Optional.empty(), ids.findVertex("world"));
    assertEquals("world", ids.vertexOf(dev.palisade.model.Identities.WORLD));
    ids.release(WorkloadRef.parse("shop/Deployment/web"));
    assertEquals("unknown", ids.vertexOf(web));
    assertEquals(java.util.Optional.empty(), ids.findVertex("shop/Deployment/web"));
  }
}

package dev.palisade.controller.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
}

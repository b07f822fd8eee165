package dev.palisade.controller.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.palisade.model.crd.AllowList;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TamperTest {
  private static ManagedFieldsEntry entry(String manager, String time) {
    return new ManagedFieldsEntryBuilder().withManager(manager).withOperation("Update").withTime(time).build();
  }

  private static AllowList allowList(List<ManagedFieldsEntry> managed) {
    AllowList a = new AllowList();
    a.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("deployment-web").withManagedFields(managed)
        .build());
    return a;
  }

  @Test
  void anEditNamesTheNewestManager() {
    Tamper t = Tamper.edited("AllowList", "spec", allowList(List.of(entry("palisade", "2026-11-30T10:00:00Z"),
        entry("kubectl-edit", "2026-11-30T10:05:00Z"), entry("helm", "2026-11-30T09:00:00Z"))));
    assertEquals(new Tamper("AllowList", "shop/deployment-web", Tamper.Change.EDITED, "spec", "kubectl-edit"), t);
    assertEquals("spec edited by kubectl-edit", t.what());
  }

  @Test
  void withoutManagedFieldsOrForADeletionTheEditorIsUnknown() {
    Tamper edited = Tamper.edited("AllowList", "spec", allowList(null));
    assertNull(edited.manager());
    assertEquals("spec edited", edited.what());
    Tamper deleted = Tamper.deleted("AllowList", allowList(List.of(entry("kubectl-edit", "2026-11-30T10:05:00Z"))));
    assertNull(deleted.manager(), "the last writer is not who deleted it");
    assertEquals("deleted", deleted.what());
  }

  @Test
  void entriesWithoutTimeCountAsOldestAndTiesGoToTheLaterEntry() {
    assertEquals(Optional.of("b"), Tamper.lastManager(List.of(entry("a", null), entry("b", "2026-01-01T00:00:00Z"),
        entry("c", null))));
    assertEquals(Optional.of("c"), Tamper.lastManager(List.of(entry("a", null), entry("c", null))));
    assertEquals(Optional.empty(), Tamper.lastManager(List.of()));
  }
}

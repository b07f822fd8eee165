package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.apply.ReadsOverFake;
import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import dev.palisade.kernel.nft.NftObject;
import dev.palisade.kernel.nft.TableChange;
import dev.palisade.kernel.nft.TableState;
import dev.palisade.kernel.nft.Transaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The agent's self-repair role between the monitor, the periodic check and the sync thread. */
class TableGuardTest {
  private static final NodeRules RULES = new NodeRules(List.of(new Group("300", 300, Set.of("10.244.0.10"),
      Direction.OPEN, new Direction(false, Set.of(), Set.of(), Enforcement.ENFORCE, Set.of(),
          Set.of(new AllowRect(Interval.ip("10.244.0.20"), Proto.TCP, Interval.port(5432)))))),
      NodeRules.Failsafe.NONE);

  /** The fake kernel, whose table can be made unreadable (a netlink dump that fails). */
  private static final class Kernel extends ReadsOverFake {
    boolean unreadable;

    @Override
    public Optional<TableState> table(String family, String name) {
      if (unreadable) {
        throw new IllegalStateException("table dump failed");
      }
      return fake.table(family, name);
    }
  }

  @Test
  void aChangeTheMonitorNamesIsRewrittenByTheNextSyncAndAsksForOne() {
    Kernel nft = new Kernel();
    KernelSync kernel = new KernelSync("node-0", nft, null);
    kernel.apply(RULES);
    String applied = nft.fake.dump();
    List<String> asked = new ArrayList<>();
    try (TableGuard guard = new TableGuard(nft, Duration.ofHours(1), asked::add)) {
      guard.start();
      nft.fake.runAsOther(new Transaction("inet", "palisade").flush(NftObject.Table.of()));
      assertEquals(List.of(SyncCause.TAMPER), asked, "the monitor's change asks for a sync");
      assertTrue(!nft.fake.dump().equals(applied));

      guard.repairInto(kernel);
      kernel.apply(RULES);
      assertEquals(applied, nft.fake.dump(), "the flushed table is whole again");
      assertEquals(1, kernel.repairs());

      guard.repairInto(kernel); // nothing new: no repair counted, no table read
      nft.unreadable = true;
      guard.repairInto(kernel);
      assertEquals(1, kernel.repairs());
    }
  }

  @Test
  void aCheckThatCouldNotReadTheTableIsTriedAgainByTheNextSync() {
    Kernel nft = new Kernel();
    KernelSync kernel = new KernelSync("node-0", nft, null);
    kernel.apply(RULES);
    String applied = nft.fake.dump();
    try (TableGuard guard = new TableGuard(nft, Duration.ofHours(1), cause -> { })) {
      guard.start();
      guard.onChange(TableChange.eventsLost("inet", "palisade")); // the monitor could not keep up
      nft.fake.runAsOther(new Transaction("inet", "palisade").flush(NftObject.Table.of()));
      guard.repairInto(kernel); // named changes and lost ones: the whole table is compared

      nft.fake.runAsOther(new Transaction("inet", "palisade").flush(NftObject.Table.of()));
      guard.onChange(TableChange.eventsLost("inet", "palisade"));
      nft.unreadable = true;
      assertThrows(IllegalStateException.class, () -> guard.repairInto(kernel));
      nft.unreadable = false;
      guard.repairInto(kernel); // the failed sync's retry: compares again, finds the flush
      kernel.apply(RULES);
      assertEquals(applied, nft.fake.dump());
      assertEquals(2, kernel.repairs());
    }
  }
}

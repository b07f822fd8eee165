package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.dataplane.dns.NameGrants;
import dev.palisade.dataplane.dns.NameGrants.NameRule;
import dev.palisade.dataplane.dns.ResolvedNames;
import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import dev.palisade.kernel.conntrack.ConntrackEvent;
import dev.palisade.kernel.conntrack.FakeConntrack;
import dev.palisade.kernel.nft.FakeNftables;
import dev.palisade.model.PortRange;
import dev.palisade.model.Protocol;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 22: tightening judges live connections to a name's addresses by the names still granted:
 * a new rule elsewhere leaves them alone, and a name taken away (which changes no rendered rule)
 * cuts them at that sync.
 */
class NameTighteningTest {
  private static final String WEB = "10.244.0.10";

  private static NodeRules rules(int dbPort) {
    return new NodeRules(List.of(new Group("300", 300, Set.of(WEB), Direction.OPEN,
        new Direction(false, Set.of(), Set.of(), Enforcement.ENFORCE, Set.of(),
            Set.of(new AllowRect(Interval.ip("10.244.0.20"), Proto.TCP, Interval.port(dbPort)))))),
        NodeRules.Failsafe.NONE);
  }

  @Test
  void liveConnectionsToAGrantedNameSurviveTighteningAndARevokedOnesAreCut() {
    ResolvedNames names = new ResolvedNames(Duration.ofSeconds(30), 100, 1000);
    long now = System.currentTimeMillis();
    names.record(WEB, "api.payments.example", "203.0.113.7", 300, now);
    NameGrants grants = NameGrants.of(Map.of(WEB, List.of(
        new NameRule("api.payments.example", Protocol.TCP, PortRange.of(443)))));
    FakeConntrack ct = new FakeConntrack();
    ct.addEntry(ConntrackEvent.tcp(ConntrackEvent.Type.DUMP, WEB, 40000, "203.0.113.7", 443));
    ct.addEntry(ConntrackEvent.tcp(ConntrackEvent.Type.DUMP, WEB, 40001, "10.244.0.20", 5432));
    KernelSync kernel = new KernelSync("node-0", new FakeNftables(), ct);

    kernel.apply(rules(5432), grants, grants.resolvedBy(names, now));
    kernel.apply(rules(5433), grants, grants.resolvedBy(names, now)); // a rule changed elsewhere: tightens
    assertEquals(List.of("10.244.0.20:5432"), ct.deleted().stream().map(e -> e.dst() + ":" + e.dstPort()).toList(),
        "the connection by the granted name stays");

    kernel.apply(rules(5433), NameGrants.NONE, NameGrants.NONE.resolvedBy(names, now)); // the name revoked
    assertEquals(List.of("10.244.0.20:5432", "203.0.113.7:443"), ct.deleted().stream()
        .map(e -> e.dst() + ":" + e.dstPort()).toList());
  }
}

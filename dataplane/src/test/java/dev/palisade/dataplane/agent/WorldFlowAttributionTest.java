package dev.palisade.dataplane.agent;

import dev.palisade.model.DropEvent;
import dev.palisade.model.json.DropReportJson;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.dataplane.dns.ResolvedNames;
import dev.palisade.kernel.conntrack.ConntrackEvent;
import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.Identities;
import dev.palisade.model.Protocol;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Flows from a local pod to the world name what the pod resolved to that address, else the address. */
class WorldFlowAttributionTest {
  private static ConntrackEvent connect(String src, String dst, long at) {
    return new ConntrackEvent(ConntrackEvent.Type.NEW, src, dst, 6, 40000, 443, 0, Instant.ofEpochMilli(at), dst, 443);
  }

  @Test
  void worldFlowsCarryTheResolvedNamesOrTheAddress() {
    TrafficObserver t = new TrafficObserver(new AgentMetrics());
    long now = System.currentTimeMillis();
    t.assign("10.244.0.5", "shop/web-1", 300);
    t.assign("10.244.0.6", "shop/web-2", 300);
    t.localPods(Map.of("10.244.0.5", 300L, "10.244.0.6", 300L));
    ResolvedNames names = new ResolvedNames(Duration.ofSeconds(30), 100, 1000);
    names.record("10.244.0.5", "api.payments.example", "203.0.113.7", 60, now);
    names.record("10.244.0.5", "alias.example", "203.0.113.7", 60, now);
    t.resolvedNames(names);
    t.onConnection(connect("10.244.0.5", "203.0.113.7", now + 1));
    t.onConnection(connect("10.244.0.6", "203.0.113.7", now + 1)); // web-2 did not resolve it
    t.onConnection(connect("10.244.0.5", "203.0.113.7", now + 100_000)); // after TTL + grace
    List<FlowKey> keys = t.drainFlows().stream().map(FlowRecord::key)
        .sorted(Comparator.comparing(FlowKey::outside)).toList();
    assertEquals(List.of(
        new FlowKey(300, Identities.WORLD, Protocol.TCP, 443, "203.0.113.7"),
        new FlowKey(300, Identities.WORLD, Protocol.TCP, 443, "dns:alias.example"),
        new FlowKey(300, Identities.WORLD, Protocol.TCP, 443, "dns:api.payments.example")), keys);
  }

  @Test
  void dropsToAndFromTheWorldNameTheFarEnd() {
    TrafficObserver t = new TrafficObserver(new AgentMetrics());
    long now = System.currentTimeMillis();
    t.assign("10.244.0.5", "shop/web-1", 300);
    t.localPods(Map.of("10.244.0.5", 300L));
    ResolvedNames names = new ResolvedNames(Duration.ofSeconds(30), 100, 1000);
    names.record("10.244.0.5", "api.other.example", "203.0.113.9", 60, now);
    t.resolvedNames(names);
    t.onLog(new dev.palisade.kernel.nflog.NflogEvent(100, "pal:enforce:out:g5", "10.244.0.5", "203.0.113.9", 6, 40000,
        443, now + 1));
    t.onLog(new dev.palisade.kernel.nflog.NflogEvent(100, "pal:enforce:out:g5", "10.244.0.5", "198.51.100.4", 6, 40001,
        443, now + 1));
    t.onLog(new dev.palisade.kernel.nflog.NflogEvent(100, "pal:enforce:in:g5", "198.51.100.20", "10.244.0.5", 6, 40002,
        8080, now + 1));
    List<DropEvent> drops = t.drainDrops();
    assertEquals(List.of("dns:api.other.example", "198.51.100.4", "198.51.100.20"),
        drops.stream().map(DropEvent::outside).toList());
    DropEvent back = DropReportJson.read(DropReportJson.write("n1", drops).getBytes(StandardCharsets.UTF_8)).events()
        .get(0);
    assertEquals(drops.get(0), back, "the name travels to the controller");
  }
}

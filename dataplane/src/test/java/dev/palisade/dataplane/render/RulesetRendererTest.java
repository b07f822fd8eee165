package dev.palisade.dataplane.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import dev.palisade.dataplane.render.PacketTracer.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class RulesetRendererTest {
  /*
   * Node with three local groups (api and db also have IPv6 addresses, closed as they are restricted):
   *  web (300, 10.244.0.10): egress enforced, approved to api 10.244.0.20 tcp/9090
   *  api (301, 10.244.0.20): ingress NetworkPolicy-isolated (from 10.244.0.0/24 except .13, tcp 9090-9091)
   *                          and monitored (approved from web only)
   *  db  (302, 10.244.0.30): ingress enforced: approved from api on tcp 5432; any protocol from 10.9.0.0/16
   */
  static final NodeRules NODE = new NodeRules(List.of(
      new Group("300", 300, Set.of("10.244.0.10"), Direction.OPEN,
          new Direction(false, Set.of(), Set.of(), Enforcement.ENFORCE, Set.of(),
              Set.of(new AllowRect(Interval.ip("10.244.0.20"), Proto.TCP, Interval.port(9090))))),
      new Group("301", 301, Set.of("10.244.0.20"),
          new Direction(true, Set.of(),
              Disjoint.subtract(Interval.cidr("10.244.0.0/24"), List.of(Interval.ip("10.244.0.13"))).stream()
                  .map(i -> new AllowRect(i, Proto.TCP, Interval.ports(9090, 9091))).collect(java.util.stream.Collectors.toSet()),
              Enforcement.MONITOR, Set.of(),
              Set.of(new AllowRect(Interval.ip("10.244.0.10"), Proto.TCP, Interval.port(9090)))),
          Direction.OPEN),
      new Group("302", 302, Set.of("10.244.0.30"),
          new Direction(false, Set.of(), Set.of(), Enforcement.ENFORCE, Set.of(Interval.cidr("10.9.0.0/16")),
              Set.of(new AllowRect(Interval.ip("10.244.0.20"), Proto.TCP, Interval.port(5432)))),
          Direction.OPEN)),
      // the node itself (kubelet probes) and the control plane: API server 10.96.0.1:443 -> 10.0.0.5:6443,
      // cluster DNS 10.96.0.10 -> pod 10.244.0.53, on 53/udp and 53/tcp
      new NodeRules.Failsafe(Set.of(Interval.ip("10.244.0.1")), Set.of(
          new AllowRect(Interval.ip("10.96.0.1"), Proto.TCP, Interval.port(443)),
          new AllowRect(Interval.ip("10.0.0.5"), Proto.TCP, Interval.port(6443)),
          new AllowRect(Interval.ip("10.96.0.10"), Proto.UDP, Interval.port(53)),
          new AllowRect(Interval.ip("10.96.0.10"), Proto.TCP, Interval.port(53)),
          new AllowRect(Interval.ip("10.244.0.53"), Proto.UDP, Interval.port(53)),
          new AllowRect(Interval.ip("10.244.0.53"), Proto.TCP, Interval.port(53)))))
      // api and db are dual-stack: their IPv6 addresses are closed (written as conntrack or a user might)
      .withClosedV6(Set.of("fd00:10:244::14", "FD00:10:244:0:0:0:0:1E"));

  @ParameterizedTest(name = "{0} -> {1} {2}/{3}: {4}")
  @CsvSource({
      // src,         dst,          proto, port, verdict, logs
      "10.244.0.10, 10.244.0.20, tcp, 9090, ACCEPT, ''",                         // web -> api: approved both ends
      "10.244.0.10, 10.244.0.20, tcp, 9091, DROP,   pal:enforce:out:300@100",    // web egress enforced: 9091 not approved
      "10.244.0.30, 10.244.0.20, tcp, 9090, ACCEPT, pal:monitor:in:301@101",     // db -> api: NP allows, monitor logs
      "10.244.0.13, 10.244.0.20, tcp, 9090, DROP,   pal:np:in:301@100",          // the except hole
      "10.244.0.30, 10.244.0.20, udp, 9090, DROP,   pal:np:in:301@100",          // NP is TCP only
      "10.244.0.20, 10.244.0.30, tcp, 5432, ACCEPT, ''",                         // api -> db approved
      "10.244.0.10, 10.244.0.30, tcp, 5432, DROP,   pal:enforce:out:300@100",    // web -> db dropped at web's egress
      "10.9.3.3,    10.244.0.30, udp, 53,   ACCEPT, ''",                         // any-protocol peer
      "10.8.0.1,    10.244.0.30, tcp, 5432, DROP,   pal:enforce:in:302@100",     // unknown source to an enforced pod
      "10.8.0.1,    10.244.0.99, tcp, 80,   ACCEPT, ''",                         // pod nobody restricts
      "10.244.0.10, 10.244.0.53, udp, 53,   ACCEPT, ''",                         // failsafe: DNS from an enforced pod
      "10.244.0.10, 10.0.0.5,    tcp, 6443, ACCEPT, ''",                         // failsafe: the API server's endpoint
      "10.244.0.10, 10.244.0.53, tcp, 80,   DROP,   pal:enforce:out:300@100",    // only port 53 of the DNS pod
      "10.244.0.1,  10.244.0.30, tcp, 8080, ACCEPT, ''",                         // failsafe: this node probes an enforced pod
      "10.244.0.2,  10.244.0.30, tcp, 8080, DROP,   pal:enforce:in:302@100",     // another address is not the node
      "fd00:10:244::99, fd00:10:244::1e, tcp, 5432, DROP, pal:v6:in:v6@100",   // IPv6 to a restricted pod
      "fd00:10:244::14, 2001:db8::1, udp, 53, DROP, pal:v6:out:v6@100",         // IPv6 from one, even to DNS
      "fd00:10:244::99, 2001:db8::1, tcp, 80, ACCEPT, ''",                      // IPv6 between unrestricted ends
  })
  void tracesVerdicts(String src, String dst, String proto, int port, Verdict verdict, String logs) {
    var t = new PacketTracer(RulesetRenderer.render(NODE)).trace(src, dst, proto, port);
    assertEquals(verdict, t.verdict());
    assertEquals(logs.isEmpty() ? List.of() : List.of(logs.split(";")), t.logs());
  }

  @Test
  void matchesTheGoldenRuleset() throws IOException {
    String actual = RulesetRenderer.render(NODE).text();
    Golden.assertMatches("golden/three-groups.nft", actual);
  }

  @Test
  void renderingIsDeterministic() {
    assertEquals(RulesetRenderer.render(NODE).text(), RulesetRenderer.render(NODE).text());
  }

  @Test
  void badGroupNamesAndAddressesAreRefused() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new Group("fwd chain", 1, Set.of(), Direction.OPEN, Direction.OPEN));
    assertEquals("group name must match [a-z0-9_]{1,40}: fwd chain", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new Group("1", 1, Set.of("10.0.0.256"), Direction.OPEN, Direction.OPEN));
    assertEquals("bad IPv4 address '10.0.0.256'", e.getMessage());
  }

  /** Golden-file comparison; set UPDATE_GOLDEN=1 to rewrite the file from the actual text. */
  static final class Golden {
    static void assertMatches(String resource, String actual) throws IOException {
      Path source = Path.of("src/test/resources", resource);
      if ("1".equals(System.getenv("UPDATE_GOLDEN"))) {
        Files.createDirectories(source.getParent());
        Files.writeString(source, actual);
      }
      try (InputStream in = RulesetRendererTest.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) throw new AssertionError("no golden file " + resource + " (run with UPDATE_GOLDEN=1 to create it)");
        assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), actual,
            "rendered ruleset differs from " + source);
      }
    }
  }

  @Test
  void aMemoRendersTheSameTextAndReusesTheElementsOfUnchangedPeerSets() {
    ElementMemo memo = new ElementMemo();
    DesiredRuleset first = RulesetRenderer.render(NODE, memo);
    DesiredRuleset second = RulesetRenderer.render(NODE, memo);
    assertEquals(RulesetRenderer.render(NODE).text(), first.text());
    assertEquals(first.text(), second.text());
    // the same rule objects: every element string is the very one rendered before
    for (var e : first.sets().entrySet()) {
      var a = e.getValue().elements().iterator();
      var b = second.sets().get(e.getKey()).elements().iterator();
      while (a.hasNext()) {
        String x = a.next();
        String y = b.next();
        if (e.getKey().startsWith("np_") || e.getKey().startsWith("pal_")) {
          org.junit.jupiter.api.Assertions.assertSame(x, y, e.getKey());
        }
      }
    }
  }

  @Test
  void groupsWithTheSameNetworkPolicyPeerSetsShareOneSetTrio() {
    Set<AllowRect> peers = Set.of(new AllowRect(Interval.ip("10.1.0.1"), AllowRect.Proto.TCP, Interval.port(80)),
        new AllowRect(Interval.ip("10.1.0.3"), AllowRect.Proto.TCP, Interval.port(80)));
    Set<AllowRect> equalButOther = Set.copyOf(new java.util.HashSet<>(peers));
    Direction shared = new Direction(true, Set.of(), peers, Enforcement.OPEN, Set.of(), Set.of());
    NodeRules rules = new NodeRules(List.of(
        new Group("401", 401, Set.of("10.244.0.41"), shared, Direction.OPEN),
        new Group("402", 402, Set.of("10.244.0.42"), new Direction(true, Set.of(), peers, Enforcement.OPEN, Set.of(),
            Set.of()), Direction.OPEN),
        new Group("403", 403, Set.of("10.244.0.43"), new Direction(true, Set.of(), equalButOther, Enforcement.OPEN,
            Set.of(), Set.of()), Direction.OPEN)),
        NodeRules.Failsafe.NONE);
    DesiredRuleset r = RulesetRenderer.render(rules);
    assertTrue(r.sets().containsKey("np_in_401_exact"));
    assertFalse(r.sets().containsKey("np_in_402_exact"), "the same peer sets were rendered twice");
    assertTrue(r.sets().containsKey("np_in_403_exact"), "only the very same set objects are shared");
    assertTrue(r.chains().get("in_402_np").rules().stream().anyMatch(x -> x.contains("@np_in_401_exact")));
    assertTrue(r.chains().get("in_402_np").rules().stream().anyMatch(x -> x.contains("pal:np:in:402")),
        "a shared set still logs its own group");
    // and packets are judged the same as with a set per group
    var tracer = new PacketTracer(r);
    assertEquals(Verdict.ACCEPT, tracer.trace("10.1.0.1", "10.244.0.42", "tcp", 80).verdict());
    assertEquals(Verdict.DROP, tracer.trace("10.1.0.2", "10.244.0.42", "tcp", 80).verdict());
    assertEquals(tracer.trace("10.1.0.1", "10.244.0.42", "tcp", 80).verdict(),
        tracer.trace("10.1.0.1", "10.244.0.43", "tcp", 80).verdict());
    assertEquals(tracer.trace("10.1.0.2", "10.244.0.42", "tcp", 80).verdict(),
        tracer.trace("10.1.0.2", "10.244.0.43", "tcp", 80).verdict());
  }
}

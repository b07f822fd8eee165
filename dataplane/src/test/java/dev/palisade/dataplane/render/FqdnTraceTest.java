package dev.palisade.dataplane.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palisade.dataplane.render.PacketTracer.Verdict;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The DNS hold's set as the rendered rules read it: an element (pod . remote . proto . port)
 * opens exactly that pod's connection to that address and port through its enforced egress,
 * nothing else (the renderer leaves the set empty; here it holds what the hold would add).
 */
class FqdnTraceTest {
  private static DesiredRuleset withHoldElements() {
    DesiredRuleset rs = RulesetRenderer.render(RulesetRendererTest.NODE);
    SortedMap<String, DesiredRuleset.NamedSet> sets = new TreeMap<>(rs.sets());
    TreeSet<String> elements = new TreeSet<>();
    elements.add("10.244.0.10 . 203.0.113.7 . tcp . 443 timeout 32s");
    elements.add("10.244.0.30 . 203.0.113.8 . tcp . 443 timeout 32s");
    sets.put(RulesetRenderer.FQDN_SET, new DesiredRuleset.NamedSet(RulesetRenderer.FQDN_SET, false,
        RulesetRenderer.FQDN_TYPE, false, elements, true));
    return new DesiredRuleset(rs.family(), rs.table(), rs.chains(), sets);
  }

  @ParameterizedTest(name = "{0} -> {1} {2}/{3}: {4}")
  @CsvSource({
      "10.244.0.10, 203.0.113.7, tcp, 443, ACCEPT, ''",                       // web resolved an approved name
      "10.244.0.10, 203.0.113.7, tcp, 80,  DROP,   pal:enforce:out:300@100",  // another port
      "10.244.0.10, 203.0.113.9, tcp, 443, DROP,   pal:enforce:out:300@100",  // an address not resolved
      "10.244.0.10, 203.0.113.8, tcp, 443, DROP,   pal:enforce:out:300@100",  // another pod's resolution
      "10.244.0.10, 203.0.113.7, udp, 443, DROP,   pal:enforce:out:300@100",  // another protocol
  })
  void onlyTheResolvingPodReachesTheResolvedAddress(String src, String dst, String proto, int port, Verdict verdict,
      String logs) {
    PacketTracer.Trace t = new PacketTracer(withHoldElements()).trace(src, dst, proto, port);
    assertEquals(verdict, t.verdict());
    assertEquals(logs, String.join(",", t.logs()));
    // the one verdict function, told what the set holds, agrees with the kernel's rules
    ConnectionVerdict.Verdict v = new ConnectionVerdict(RulesetRendererTest.NODE, HOLD).judge(src, dst,
        AllowRect.Proto.valueOf(proto.toUpperCase(java.util.Locale.ROOT)), port);
    assertEquals(verdict == Verdict.ACCEPT, v.passes(), v.explain());
    assertEquals(logs, String.join(",", v.logs().stream().map(ConnectionVerdict.Log::text).toList()));
  }

  /** What the hold elements above say, as the agent's verdict reads the set. */
  private static final ConnectionVerdict.Names HOLD = (pod, remote, proto, port) -> proto == AllowRect.Proto.TCP
      && port == 443 && (pod + " " + remote).matches("10.244.0.10 203.0.113.7|10.244.0.30 203.0.113.8");
}

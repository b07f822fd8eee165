package dev.palisade.lab.kube.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.kube.proxy.ServiceWatch;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DNS responder from query bytes to response bytes, one row per kind of name. */
class LabDnsServerTest {
  static final Service WEB = new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("web").endMetadata()
      .withNewSpec().withClusterIP("10.96.0.2").addNewPort().withPort(80).endPort().endSpec().build();
  static final Service PEERS = new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("peers")
      .endMetadata().withNewSpec().withClusterIP("None").addNewPort().withPort(7000).endPort().endSpec().build();
  static final EndpointSlice PEER_SLICE = new EndpointSliceBuilder().withNewMetadata().withNamespace("shop")
      .withName("peers-1").addToLabels("kubernetes.io/service-name", "peers").endMetadata().withAddressType("IPv4")
      .addNewEndpoint().withAddresses("10.244.0.5").withHostname("peers-0").withNewConditions().withReady(true)
      .endConditions().endEndpoint()
      .addNewEndpoint().withAddresses("10.244.1.5").withHostname("peers-1").endEndpoint()
      .addNewEndpoint().withAddresses("10.244.1.9").withHostname("peers-2").withNewConditions().withReady(false)
      .endConditions().endEndpoint()
      .build();
  static final ServiceWatch.Snapshot CLUSTER = new ServiceWatch.Snapshot(List.of(WEB, PEERS), List.of(PEER_SLICE));

  record Row(String name, int type, int rcode, List<String> addresses) {}

  @Test
  void answersByKindOfName() {
    List<Row> rows = List.of(
        new Row("web.shop.svc.cluster.local", DnsMessage.TYPE_A, DnsMessage.NOERROR, List.of("10.96.0.2")),
        new Row("WEB.Shop.svc.cluster.local.", DnsMessage.TYPE_A, DnsMessage.NOERROR, List.of("10.96.0.2")),
        new Row("web.shop.svc.cluster.local", 28 /* AAAA */, DnsMessage.NOERROR, List.of()),
        new Row("peers.shop.svc.cluster.local", DnsMessage.TYPE_A, DnsMessage.NOERROR, List.of("10.244.0.5", "10.244.1.5")),
        new Row("peers-1.peers.shop.svc.cluster.local", DnsMessage.TYPE_A, DnsMessage.NOERROR, List.of("10.244.1.5")),
        new Row("peers-2.peers.shop.svc.cluster.local", DnsMessage.TYPE_A, DnsMessage.NXDOMAIN, List.of()),
        new Row("10-244-1-7.shop.pod.cluster.local", DnsMessage.TYPE_A, DnsMessage.NOERROR, List.of("10.244.1.7")),
        new Row("web.other.svc.cluster.local", DnsMessage.TYPE_A, DnsMessage.NXDOMAIN, List.of()),
        new Row("web.shop.svc.cluster.local.shop.svc.cluster.local", DnsMessage.TYPE_A, DnsMessage.NXDOMAIN, List.of()),
        new Row("example.com", DnsMessage.TYPE_A, DnsMessage.REFUSED, List.of()),
        new Row("web", DnsMessage.TYPE_A, DnsMessage.REFUSED, List.of()));
    for (Row row : rows) {
      byte[] q = DnsMessage.query(4242, row.name().endsWith(".") ? row.name().substring(0, row.name().length() - 1)
          : row.name(), row.type());
      byte[] r = LabDnsServer.respond(q, q.length, CLUSTER).orElseThrow();
      assertEquals(4242, ((r[0] & 0xff) << 8) | (r[1] & 0xff), row.name());
      assertTrue((r[2] & 0x80) != 0, "a response: " + row.name());
      assertEquals(row.rcode(), DnsMessage.rcode(r), row.name());
      assertEquals(row.addresses(), DnsMessage.addresses(r, r.length), row.name());
    }
  }

  @Test
  void garbageGetsFormerrAndTooLittleNothing() {
    byte[] junk = "palisade-probe\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] r = LabDnsServer.respond(junk, junk.length, CLUSTER).orElseThrow();
    assertEquals(DnsMessage.FORMERR, DnsMessage.rcode(r));
    assertTrue(LabDnsServer.respond(new byte[1], 1, CLUSTER).isEmpty());
  }
}

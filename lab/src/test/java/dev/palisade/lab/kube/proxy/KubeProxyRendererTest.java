package dev.palisade.lab.kube.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class KubeProxyRendererTest {
  static final Service WEB = new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("web").endMetadata()
      .withNewSpec().withClusterIP("10.96.0.2").withSelector(java.util.Map.of("app", "web"))
      .addNewPort().withName("http").withPort(80).withProtocol("TCP").withNewTargetPort(8080).endPort()
      .endSpec().build();
  static final Service DB = new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("db").endMetadata()
      .withNewSpec().withClusterIP("10.96.0.3").withSelector(java.util.Map.of("app", "db"))
      .addNewPort().withPort(5432).withProtocol("TCP").endPort()
      .endSpec().build();
  static final Service HEADLESS = new ServiceBuilder().withNewMetadata().withNamespace("shop").withName("peers")
      .endMetadata().withNewSpec().withClusterIP("None").addNewPort().withPort(7000).endPort().endSpec().build();

  static EndpointSlice webSlice() {
    return new EndpointSliceBuilder().withNewMetadata().withNamespace("shop").withName("web-abc")
        .addToLabels("kubernetes.io/service-name", "web").endMetadata()
        .withAddressType("IPv4")
        .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
        .addNewEndpoint().withAddresses("10.244.1.2").withNewConditions().withReady(true).endConditions().endEndpoint()
        .addNewEndpoint().withAddresses("10.244.0.2").withNewConditions().withReady(true).endConditions().endEndpoint()
        .addNewEndpoint().withAddresses("10.244.0.9").withNewConditions().withReady(false).endConditions().endEndpoint()
        .build();
  }

  static EndpointSlice emptyDbSlice() {
    return new EndpointSliceBuilder().withNewMetadata().withNamespace("shop").withName("db-xyz")
        .addToLabels("kubernetes.io/service-name", "db").endMetadata().withAddressType("IPv4").build();
  }

  @Test
  void readyEndpointsOnTheSlicePortOfTheSameNameAndNoHeadlessServices() {
    List<ProxiedPort> ports = ServicePorts.from(List.of(WEB, DB, HEADLESS), List.of(webSlice(), emptyDbSlice()));
    assertEquals(List.of(
        new ProxiedPort("shop/db", "", "10.96.0.3", "TCP", 5432, List.of()),
        new ProxiedPort("shop/web", "http", "10.96.0.2", "TCP", 80, List.of(
            new ProxiedPort.Backend("10.244.0.2", 8080), new ProxiedPort.Backend("10.244.1.2", 8080)))), ports);
  }

  @Test
  void theWholeTableForOneServiceWithTwoEndpointsAndOneWithNone() throws IOException {
    String text = KubeProxyRenderer.render(ServicePorts.from(List.of(WEB, DB), List.of(webSlice(), emptyDbSlice())))
        .toString();
    String golden = golden("kube-proxy/two-services.nft", text);
    assertEquals(golden, text);
    // the service without endpoints is rejected before DNAT, as kube-proxy does
    assertTrue(text.contains("add element ip kube_proxy no_endpoint_services { 10.96.0.3 . tcp . 5432 : goto reject_chain }"));
  }

  @Test
  void aTransactionThatReplacesTheTableWholeEvenWhenEmpty() {
    String text = KubeProxyRenderer.render(List.of()).toString();
    assertTrue(text.startsWith("add table ip kube_proxy\ndelete table ip kube_proxy\nadd table ip kube_proxy"), text);
    assertTrue(KubeProxyRenderer.render(List.of()).error().isEmpty());
  }

  /** The golden file's text; with -Dgolden.update=true, (re)writes it from what was rendered. */
  static String golden(String resource, String actual) throws IOException {
    if (Boolean.getBoolean("golden.update")) {
      Path p = Path.of("src/test/resources", resource);
      Files.createDirectories(p.getParent());
      Files.writeString(p, actual);
      return actual;
    }
    try (InputStream in = KubeProxyRendererTest.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no golden file " + resource + " (run with -Dgolden.update=true)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}

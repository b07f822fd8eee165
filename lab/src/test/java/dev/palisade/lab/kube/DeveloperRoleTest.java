package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.kube.auth.TokenBinding;
import dev.palisade.model.crd.AccessRequest;
import dev.palisade.model.crd.AccessRequestSpec;
import dev.palisade.model.crd.AccessRequestStatus;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * deploy/base's palisade-developer ClusterRole, bound in one namespace with a RoleBinding, on the
 * lab API server (which enforces RBAC): the developer reads that namespace's Events and files and
 * reads AccessRequests there, and is refused everything in other namespaces, and the status of
 * their own requests (only the controller writes it).
 */
class DeveloperRoleTest {
  private static final Path DEPLOY = Path.of("../deploy/base");

  private LabApiServer api;
  private KubernetesClient admin;
  private KubernetesClient dev;

  @BeforeEach
  void start() throws Exception {
    api = LabApiServer.start();
    admin = api.client();
    for (String ns : List.of("shop", "billing")) {
      admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      admin.v1().events().inNamespace(ns).resource(new EventBuilder().withNewMetadata().withName(ns + "-drop")
          .withNamespace(ns).endMetadata().withReason("PalisadeDropped").withMessage("in " + ns).build()).create();
    }
    try (InputStream in = Files.newInputStream(DEPLOY.resolve("rbac-developer.yaml"))) {
      for (HasMetadata o : admin.load(in).items()) {
        admin.resource(o).create();
      }
    }
    admin.serviceAccounts().inNamespace("shop").resource(new ServiceAccountBuilder().withNewMetadata().withName("dev")
        .withNamespace("shop").endMetadata().build()).create();
    admin.rbac().roleBindings().inNamespace("shop").resource(new RoleBindingBuilder().withNewMetadata()
        .withName("palisade-developer").withNamespace("shop").endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "palisade-developer")
        .addNewSubject().withKind("ServiceAccount").withName("dev").withNamespace("shop").endSubject().build()).create();
    String token = api.issueServiceAccountToken("shop", "dev", List.of(), TokenBinding.none(), Duration.ofHours(1))
        .token();
    dev = new KubernetesClientBuilder().withConfig(api.clientConfig(token)).build();
  }

  @AfterEach
  void stop() {
    dev.close();
    api.close();
  }

  private static AccessRequest request(String ns) {
    AccessRequest r = new AccessRequest();
    r.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName("web-db").build());
    AccessRequestSpec s = new AccessRequestSpec();
    s.source = ns + "/Deployment/web";
    s.destination = ns + "/StatefulSet/db";
    s.port = 5432;
    s.protocol = "TCP";
    s.reason = "orders";
    r.setSpec(s);
    return r;
  }

  private static int refused(Runnable call) {
    return assertThrows(KubernetesClientException.class, call::run).getCode();
  }

  @Test
  void aDeveloperSeesTheirNamespaceAndFilesRequestsThere() {
    assertEquals(List.of("in shop"), dev.v1().events().inNamespace("shop").list().getItems().stream()
        .map(io.fabric8.kubernetes.api.model.Event::getMessage).toList());
    AccessRequest created = dev.resources(AccessRequest.class).inNamespace("shop").resource(request("shop")).create();
    assertEquals("web-db", created.getMetadata().getName());
    assertEquals(1, dev.resources(AccessRequest.class).inNamespace("shop").list().getItems().size());
  }

  @Test
  void aDeveloperIsRefusedOtherNamespacesAndTheStatus() {
    assertEquals(403, refused(() -> dev.v1().events().inNamespace("billing").list()));
    assertEquals(403, refused(() -> dev.v1().events().inAnyNamespace().list()));
    assertEquals(403, refused(() -> dev.resources(AccessRequest.class).inNamespace("billing").list()));
    assertEquals(403, refused(() -> dev.resources(AccessRequest.class).inNamespace("billing")
        .resource(request("billing")).create()));
    // a request decides nothing, and its requester cannot say it was approved
    AccessRequest mine = dev.resources(AccessRequest.class).inNamespace("shop").resource(request("shop")).create();
    mine.setStatus(new AccessRequestStatus());
    mine.getStatus().phase = AccessRequestStatus.APPROVED;
    assertEquals(403, refused(() -> dev.resources(AccessRequest.class).inNamespace("shop").resource(mine)
        .updateStatus()));
    assertEquals(403, refused(() -> dev.resources(AccessRequest.class).inNamespace("shop").withName("web-db").delete()));
    assertNull(admin.resources(AccessRequest.class).inNamespace("shop").withName("web-db").get().getStatus());
    assertTrue(admin.rbac().clusterRoleBindings().list().getItems().stream()
        .noneMatch(b -> b.getRoleRef().getName().equals("palisade-developer")), "bound per namespace only");
  }
}

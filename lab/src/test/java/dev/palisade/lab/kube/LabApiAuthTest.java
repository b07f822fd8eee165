package dev.palisade.lab.kube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.TokenReviewAuthenticator;
import dev.palisade.lab.kube.auth.IssuedToken;
import dev.palisade.lab.kube.auth.TokenAuthority;
import dev.palisade.lab.kube.auth.TokenBinding;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Authentication and RBAC of the lab API server as fabric8 clients meet them: tokens, TokenRequest,
 * TokenReview (with the controller's TokenReviewAuthenticator), access reviews, impersonation.
 */
class LabApiAuthTest {
  private static final Path DEPLOY = Path.of("../deploy/base");
  private static final String SYSTEM = "palisade-system";
  private static final String AGENT = "system:serviceaccount:palisade-system:palisade-agent";

  /** A clock the test moves, to expire tokens. */
  private static final class MovableClock extends Clock {
    private volatile Instant now = Instant.parse("2026-11-30T12:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  private final MovableClock clock = new MovableClock();
  private LabApiServer api;
  private KubernetesClient admin;

  @BeforeEach
  void start() throws IOException {
    api = LabApiServer.start(clock);
    admin = api.client();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(SYSTEM).endMetadata().build())
        .create();
    for (String file : List.of("rbac-agent.yaml", "rbac-controller.yaml")) {
      try (InputStream in = Files.newInputStream(DEPLOY.resolve(file))) {
        for (HasMetadata o : admin.load(in).items()) {
          admin.resource(o).create();
        }
      }
    }
  }

  @AfterEach
  void stop() {
    api.close();
  }

  private KubernetesClient clientWith(String token) {
    return new KubernetesClientBuilder().withConfig(api.clientConfig(token)).build();
  }

  private KubernetesClient clientWith(Config config) {
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  private Pod agentPod(String name, String node) {
    return admin.pods().inNamespace(SYSTEM).resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withServiceAccountName("palisade-agent").withNodeName(node).addNewContainer().withName("agent")
        .withImage("palisade/agent").endContainer().endSpec().build()).create();
  }

  private String agentToken() {
    return api.issueServiceAccountToken(SYSTEM, "palisade-agent", List.of(), TokenBinding.none(),
        Duration.ofHours(1)).token();
  }

  @Test
  void requestsWithoutAValidTokenAre401() {
    for (String token : new String[] {"not-a-token", ""}) {
      try (KubernetesClient c = clientWith(token)) {
        KubernetesClientException e = assertThrows(KubernetesClientException.class,
            () -> c.pods().inAnyNamespace().list());
        assertEquals(401, e.getCode(), e.getMessage());
        assertEquals("Unauthorized", e.getStatus().getReason());
      }
    }
    // watches too: the websocket upgrade is refused before it is upgraded
    try (KubernetesClient c = clientWith("not-a-token")) {
      KubernetesClientException e = assertThrows(KubernetesClientException.class,
          () -> c.pods().inNamespace("default").watch(new NoWatcher<>()).close());
      assertEquals(401, e.getCode(), e.getMessage());
    }
  }

  @Test
  void theAdminTokenIsInTheKubeconfig() throws IOException {
    Path kubeconfig = api.writeKubeconfig(Files.createTempDirectory("lab-auth").resolve("kubeconfig"));
    assertTrue(Files.readString(kubeconfig).contains("token: " + api.adminToken()));
    try (KubernetesClient c = clientWith(Config.fromKubeconfig(Files.readString(kubeconfig)))) {
      assertNotNull(c.namespaces().withName(SYSTEM).get());
    }
  }

  @Test
  void aServiceAccountMayDoWhatItsBindingsAllowAndIsForbiddenTheRest() {
    try (KubernetesClient agent = clientWith(agentToken())) {
      agent.pods().inAnyNamespace().list();
      agent.resources(dev.palisade.model.crd.AllowList.class).inAnyNamespace().list();
      KubernetesClientException e = assertThrows(KubernetesClientException.class,
          () -> agent.configMaps().inNamespace("shop").resource(new ConfigMapBuilder().withNewMetadata()
              .withName("c").endMetadata().build()).create());
      assertEquals(403, e.getCode());
      assertEquals("configmaps is forbidden: User \"" + AGENT + "\" cannot create resource \"configmaps\" in API "
          + "group \"\" in the namespace \"shop\"", e.getStatus().getMessage());

      // a RoleBinding written now is in force for the next request
      admin.rbac().roleBindings().inNamespace("shop").resource(new RoleBindingBuilder().withNewMetadata()
          .withName("agent-edits").endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole",
              "palisade-controller").addNewSubject().withKind("ServiceAccount").withName("palisade-agent")
          .withNamespace(SYSTEM).endSubject().build()).create();
      agent.resources(dev.palisade.model.crd.AllowList.class).inNamespace("shop").withName("x").get();
      assertEquals(403, assertThrows(KubernetesClientException.class,
          () -> agent.pods().inNamespace("shop").withName("p").delete()).getCode());
      admin.rbac().roleBindings().inNamespace("shop").withName("agent-edits").delete();
    }
  }

  @Test
  void aWatchNeedsTheWatchVerb() {
    String token = api.issueServiceAccountToken(SYSTEM, "palisade-controller", List.of(), TokenBinding.none(),
        Duration.ofHours(1)).token();
    try (KubernetesClient controller = clientWith(token)) {
      // palisade-controller may watch pods but not configmaps
      controller.pods().inAnyNamespace().watch(new NoWatcher<>()).close();
      KubernetesClientException e = assertThrows(KubernetesClientException.class,
          () -> controller.configMaps().inAnyNamespace().watch(new NoWatcher<>()).close());
      assertEquals(403, e.getCode(), e.getMessage());
    }
  }

  @Test
  void tokenRequestIssuesAPodBoundTokenThatTheControllersAuthenticatorAccepts() {
    Pod pod = agentPod("agent-x1", "lab-node-3");
    TokenRequest request = new TokenRequestBuilder().withNewSpec().withAudiences("palisade-controller")
        .withExpirationSeconds(3600L).withNewBoundObjectRef().withApiVersion("v1").withKind("Pod")
        .withName("agent-x1").endBoundObjectRef().endSpec().build();
    TokenRequest issued = admin.serviceAccounts().inNamespace(SYSTEM).withName("palisade-agent").tokenRequest(request);
    String token = issued.getStatus().getToken();
    assertNotNull(token);
    assertTrue(Instant.parse(issued.getStatus().getExpirationTimestamp()).isAfter(clock.instant()));

    // for the controller's audience only: the API server itself refuses it, as a cluster does
    try (KubernetesClient c = clientWith(token)) {
      assertEquals(401, assertThrows(KubernetesClientException.class, () -> c.pods().list()).getCode());
    }

    String controllerToken = api.issueServiceAccountToken(SYSTEM, "palisade-controller", List.of(),
        TokenBinding.none(), Duration.ofHours(1)).token();
    try (KubernetesClient controller = clientWith(controllerToken)) {
      TokenReview review = controller.tokenReviews().create(new TokenReviewBuilder().withNewSpec().withToken(token)
          .withAudiences("palisade-controller").endSpec().build());
      assertTrue(review.getStatus().getAuthenticated(), String.valueOf(review.getStatus()));
      assertEquals(AGENT, review.getStatus().getUser().getUsername());
      assertEquals(List.of("palisade-controller"), review.getStatus().getAudiences());
      assertEquals(List.of("system:serviceaccounts", "system:serviceaccounts:palisade-system", "system:authenticated"),
          review.getStatus().getUser().getGroups());
      var extra = review.getStatus().getUser().getExtra();
      assertEquals(List.of("agent-x1"), extra.get(TokenAuthority.POD_NAME));
      assertEquals(List.of(pod.getMetadata().getUid()), extra.get(TokenAuthority.POD_UID));
      assertEquals(List.of("lab-node-3"), extra.get(TokenAuthority.NODE_NAME));

      TokenReviewAuthenticator authenticator = new TokenReviewAuthenticator(controller, SYSTEM, "palisade-agent",
          List.of("palisade-controller"), Duration.ofMillis(1));
      assertEquals(Optional.of(new Principal("lab-node-3", Role.AGENT)), authenticator.authenticate(token));
      assertEquals(Optional.empty(), authenticator.authenticate("forged"));
      // an unbound agent token names no node: refused
      assertEquals(Optional.empty(), authenticator.authenticate(api.issueServiceAccountToken(SYSTEM,
          "palisade-agent", List.of("palisade-controller"), TokenBinding.none(), Duration.ofHours(1)).token()));

      // the pod goes, its token with it
      admin.pods().inNamespace(SYSTEM).withName("agent-x1").delete();
      TokenReview after = controller.tokenReviews().create(new TokenReviewBuilder().withNewSpec().withToken(token)
          .withAudiences("palisade-controller").endSpec().build());
      assertFalse(after.getStatus().getAuthenticated());
      assertTrue(after.getStatus().getError().contains("agent-x1"), after.getStatus().getError());
    }
  }

  @Test
  void aNodeBoundTokenNamesTheNode() {
    admin.nodes().resource(new io.fabric8.kubernetes.api.model.NodeBuilder().withNewMetadata().withName("lab-node-0")
        .endMetadata().build()).create();
    IssuedToken token = api.issueServiceAccountToken(SYSTEM, "palisade-agent", List.of("palisade-controller"),
        TokenBinding.node("lab-node-0"), Duration.ofHours(1));
    TokenReview review = admin.tokenReviews().create(new TokenReviewBuilder().withNewSpec().withToken(token.token())
        .withAudiences("palisade-controller").endSpec().build());
    assertEquals(List.of("lab-node-0"), review.getStatus().getUser().getExtra().get(TokenAuthority.NODE_NAME));
    assertThrows(IllegalArgumentException.class, () -> api.issueServiceAccountToken(SYSTEM, "palisade-agent",
        List.of(), TokenBinding.node("no-such-node"), Duration.ofHours(1)));
  }

  @Test
  void tokensExpire() {
    IssuedToken token = api.issueServiceAccountToken(SYSTEM, "palisade-agent", List.of(), TokenBinding.none(),
        Duration.ofMinutes(10));
    try (KubernetesClient agent = clientWith(token.token())) {
      agent.pods().inAnyNamespace().list();
      clock.advance(Duration.ofMinutes(10));
      assertEquals(401, assertThrows(KubernetesClientException.class, () -> agent.pods().inAnyNamespace().list())
          .getCode());
    }
  }

  @Test
  void tokenRequestsNeedAnExistingServiceAccountAndThePermission() {
    KubernetesClientException missing = assertThrows(KubernetesClientException.class,
        () -> admin.serviceAccounts().inNamespace(SYSTEM).withName("nobody").tokenRequest(new TokenRequest()));
    assertEquals(404, missing.getCode());
    try (KubernetesClient agent = clientWith(agentToken())) {
      KubernetesClientException e = assertThrows(KubernetesClientException.class,
          () -> agent.serviceAccounts().inNamespace(SYSTEM).withName("palisade-controller")
              .tokenRequest(new TokenRequest()));
      assertEquals(403, e.getCode());
      assertTrue(e.getStatus().getMessage().contains("cannot create resource \"serviceaccounts/token\""),
          e.getStatus().getMessage());
    }
  }

  @Test
  void accessReviewsAnswerWhatRbacAllows() {
    try (KubernetesClient agent = clientWith(agentToken())) {
      SelfSubjectAccessReview self = agent.authorization().v1().selfSubjectAccessReview().create(
          new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes().withVerb("list")
              .withResource("pods").endResourceAttributes().endSpec().build());
      assertTrue(self.getStatus().getAllowed());
      assertTrue(self.getStatus().getReason().contains("ClusterRoleBinding \"palisade-agent\""),
          self.getStatus().getReason());
      // SubjectAccessReview is for those allowed to create them; the agent is not
      assertEquals(403, assertThrows(KubernetesClientException.class, () -> agent.authorization().v1()
          .subjectAccessReview().create(new SubjectAccessReview())).getCode());
    }
    SubjectAccessReview review = admin.authorization().v1().subjectAccessReview().create(
        new SubjectAccessReviewBuilder().withNewSpec().withUser(AGENT).withGroups("system:serviceaccounts")
            .withNewResourceAttributes().withVerb("create").withGroup("palisade.dev").withResource("allowlists")
            .withNamespace("shop").endResourceAttributes().endSpec().build());
    assertFalse(review.getStatus().getAllowed());
    SubjectAccessReview path = admin.authorization().v1().subjectAccessReview().create(
        new SubjectAccessReviewBuilder().withNewSpec().withUser("anyone").withGroups("system:authenticated")
            .withNewNonResourceAttributes().withVerb("get").withPath("/version").endNonResourceAttributes().endSpec()
            .build());
    assertTrue(path.getStatus().getAllowed());
  }

  @Test
  void impersonationNeedsThePermissionToImpersonate() {
    Config asAgent = new io.fabric8.kubernetes.client.ConfigBuilder(api.clientConfig())
        .withImpersonateUsername(AGENT).build();
    try (KubernetesClient c = clientWith(asAgent)) {
      c.pods().inAnyNamespace().list();
      KubernetesClientException e = assertThrows(KubernetesClientException.class,
          () -> c.pods().inNamespace("shop").withName("p").delete());
      assertEquals(403, e.getCode());
      assertTrue(e.getStatus().getMessage().contains("User \"" + AGENT + "\""), e.getStatus().getMessage());
    }
    Config agentAsAdmin = new io.fabric8.kubernetes.client.ConfigBuilder(api.clientConfig(agentToken()))
        .withImpersonateUsername("lab-admin").withImpersonateGroups("system:masters").build();
    try (KubernetesClient c = clientWith(agentAsAdmin)) {
      KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> c.pods().list());
      assertEquals(403, e.getCode());
      assertEquals("users \"lab-admin\" is forbidden: User \"" + AGENT + "\" cannot impersonate resource \"users\" in "
          + "API group \"\" at the cluster scope", e.getStatus().getMessage());
    }
  }

  private static final class NoWatcher<T> implements Watcher<T> {
    @Override
    public void eventReceived(Action action, T resource) {}

    @Override
    public void onClose(WatcherException cause) {}
  }
}

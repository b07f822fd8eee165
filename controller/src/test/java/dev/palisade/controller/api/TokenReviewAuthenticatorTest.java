package dev.palisade.controller.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TokenReviewAuthenticator against fabric8's mock API server in expectations mode. */
class TokenReviewAuthenticatorTest {
  private static final String PATH = "/apis/authentication.k8s.io/v1/tokenreviews";
  private static final String AGENT = "system:serviceaccount:palisade-system:palisade-agent";
  private static final Duration TTL = Duration.ofSeconds(30);

  private KubernetesMockServer server;
  private KubernetesClient client;
  private final AtomicLong clock = new AtomicLong();
  /** Tokens the mock API server was asked to review, in order. */
  private final List<TokenReview> reviewed = Collections.synchronizedList(new ArrayList<>());
  private TokenReviewAuthenticator auth;

  @BeforeEach
  void start() {
    start(false);
  }

  /**
   * failFirst: the first review is answered 403, as when the controller's RBAC lacks tokenreviews
   * (fabric8 retries 5xx answers itself, so a 500 would not reach the authenticator).
   */
  private void start(boolean failFirst) {
    server = new KubernetesMockServer(false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
    if (failFirst) {
      server.expect().post().withPath(PATH).andReturn(403, "{\"kind\":\"Status\",\"code\":403}").once();
    }
    server.expect().post().withPath(PATH).andReply(201, request -> {
      TokenReview asked = Serialization.unmarshal(request.getUtf8Body(), TokenReview.class);
      reviewed.add(asked);
      return Serialization.asJson(answer(asked));
    }).always();
    auth = new TokenReviewAuthenticator(client, "palisade-system", "palisade-agent", List.of("palisade-controller"),
        TTL, clock::get);
  }

  @AfterEach
  void stop() {
    client.close();
    server.destroy();
  }

  /** What the mock API server says of each token the tests use. */
  private static TokenReview answer(TokenReview asked) {
    String token = asked.getSpec().getToken();
    TokenReviewBuilder b = new TokenReviewBuilder().withSpec(asked.getSpec());
    List<String> audiences = List.of("palisade-controller");
    Map<String, List<String>> node = Map.of(TokenReviewAuthenticator.NODE_NAME, List.of("node-1"));
    return switch (token) {
      case "agent-token" -> b.withNewStatus().withAuthenticated(true).withAudiences(audiences).withNewUser()
          .withUsername(AGENT).withExtra(node).endUser().endStatus().build();
      case "unbound-agent-token" -> b.withNewStatus().withAuthenticated(true).withAudiences(audiences).withNewUser()
          .withUsername(AGENT).endUser().endStatus().build();
      case "api-server-audience" -> b.withNewStatus().withAuthenticated(true)
          .withAudiences("https://kubernetes.default.svc").withNewUser().withUsername(AGENT).withExtra(node).endUser()
          .endStatus().build();
      case "other-sa-token" -> b.withNewStatus().withAuthenticated(true).withAudiences(audiences).withNewUser()
          .withUsername("system:serviceaccount:shop:default").withExtra(node).endUser().endStatus().build();
      default -> b.withNewStatus().withAuthenticated(false).withError("invalid bearer token").endStatus().build();
    };
  }

  @Test
  void theAgentServiceAccountIsAnAgentNamedAfterItsNode() {
    assertEquals(Optional.of(new Principal("node-1", Role.AGENT)), auth.authenticate("agent-token"));
    assertEquals(1, reviewed.size());
    assertEquals("agent-token", reviewed.get(0).getSpec().getToken());
    assertEquals(List.of("palisade-controller"), reviewed.get(0).getSpec().getAudiences());
  }

  @Test
  void answersAreCachedForTheTtlOnly() {
    auth.authenticate("agent-token");
    clock.addAndGet(TTL.toNanos() - 1);
    assertEquals(Optional.of(new Principal("node-1", Role.AGENT)), auth.authenticate("agent-token"));
    assertEquals(1, reviewed.size(), "a cached answer needs no review");
    clock.addAndGet(1);
    assertEquals(Optional.of(new Principal("node-1", Role.AGENT)), auth.authenticate("agent-token"));
    assertEquals(2, reviewed.size(), "an expired answer is reviewed again");
  }

  @Test
  void refusalsAreCachedToo() {
    assertEquals(Optional.empty(), auth.authenticate("forged"));
    assertEquals(Optional.empty(), auth.authenticate("forged"));
    assertEquals(1, reviewed.size());
    clock.addAndGet(TTL.toNanos());
    assertEquals(Optional.empty(), auth.authenticate("forged"));
    assertEquals(2, reviewed.size());
  }

  @Test
  void everyoneElseIsRefused() {
    assertEquals(Optional.empty(), auth.authenticate("other-sa-token"), "another ServiceAccount");
    assertEquals(Optional.empty(), auth.authenticate("unbound-agent-token"), "no node to name the agent after");
    assertEquals(Optional.empty(), auth.authenticate("api-server-audience"), "a token meant for the API server");
    assertEquals(Optional.empty(), auth.authenticate(""));
    assertEquals(Optional.empty(), auth.authenticate(null));
    assertEquals(3, reviewed.size(), "empty tokens are refused without a review");
  }

  @Test
  void aFailedReviewRefusesAndIsNotCached() {
    stop();
    start(true);
    assertEquals(Optional.empty(), auth.authenticate("agent-token"), "the review failed");
    assertEquals(Optional.of(new Principal("node-1", Role.AGENT)), auth.authenticate("agent-token"),
        "the failure was not cached as a refusal");
    assertEquals(1, reviewed.size());
  }

  @Test
  void aFloodOfUnknownTokensIsRefusedWithoutAskingTheApiServerPastTheRate() {
    start(false);
    int flood = TokenReviewAuthenticator.REVIEW_BURST + 100;
    for (int i = 0; i < flood; i++) {
      assertEquals(Optional.empty(), auth.authenticate("bad-" + i));
    }
    assertEquals(TokenReviewAuthenticator.REVIEW_BURST, reviewed.size(), "the burst was reviewed, the rest not");
    // a known token is still answered from the cache; a new one waits for the rate to refill
    clock.addAndGet(java.time.Duration.ofSeconds(1).toNanos());
    assertEquals(Optional.of(new Principal("node-1", Role.AGENT)), auth.authenticate("agent-token"));
  }
}

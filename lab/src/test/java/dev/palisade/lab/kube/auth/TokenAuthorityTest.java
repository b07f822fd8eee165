package dev.palisade.lab.kube.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.lab.kube.auth.TokenAuthority.BoundObject;
import dev.palisade.lab.kube.auth.TokenAuthority.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Tokens: audiences, expiry, bound objects, and the user a ServiceAccount token stands for. */
class TokenAuthorityTest {
  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private final TokenAuthority authority = new TokenAuthority(Clock.fixed(NOW, ZoneOffset.UTC));
  private static final BoundObject SA = new BoundObject("ServiceAccount", "palisade-system", "palisade-agent", "sa-1");
  private static final BoundObject POD = new BoundObject("Pod", "palisade-system", "agent-x", "pod-1");
  private static final BoundObject NODE = new BoundObject("Node", "", "lab-node-2", "node-1");

  private String issue(List<String> audiences, Instant expires) {
    return authority.issue(TokenAuthority.serviceAccountClaims(SA, Optional.of(POD), Optional.of(NODE), audiences,
        expires));
  }

  @Test
  void aPodBoundTokenCarriesTheUserGroupsAndExtrasKubernetesGives() {
    String token = issue(List.of("palisade-controller"), NOW.plusSeconds(600));
    Verdict.Valid v = assertInstanceOf(Verdict.Valid.class,
        authority.review(token, List.of("palisade-controller", "other"), o -> true));
    assertEquals("system:serviceaccount:palisade-system:palisade-agent", v.user().name());
    assertEquals("sa-1", v.user().uid());
    assertEquals(List.of("system:serviceaccounts", "system:serviceaccounts:palisade-system", User.AUTHENTICATED),
        v.user().groups());
    assertEquals(List.of("agent-x"), v.user().extra().get(TokenAuthority.POD_NAME));
    assertEquals(List.of("pod-1"), v.user().extra().get(TokenAuthority.POD_UID));
    assertEquals(List.of("lab-node-2"), v.user().extra().get(TokenAuthority.NODE_NAME));
    assertEquals(List.of("node-1"), v.user().extra().get(TokenAuthority.NODE_UID));
    assertTrue(v.user().extra().get(TokenAuthority.CREDENTIAL_ID).get(0).startsWith("JTI="));
    assertEquals(List.of("palisade-controller"), v.audiences());
  }

  @Test
  void audiencesMustMeetAndNoneMeansTheApiServer() {
    String forController = issue(List.of("palisade-controller"), NOW.plusSeconds(600));
    Verdict.Invalid wrong = assertInstanceOf(Verdict.Invalid.class, authority.review(forController, List.of(), o -> true));
    assertTrue(wrong.error().contains("token audiences [\"palisade-controller\"] is invalid for the target audiences "
        + "[\"https://kubernetes.default.svc\"]"), wrong.error());
    String forApi = issue(List.of(), NOW.plusSeconds(600));
    assertEquals(List.of(TokenAuthority.API_AUDIENCE),
        assertInstanceOf(Verdict.Valid.class, authority.review(forApi, List.of(), o -> true)).audiences());
  }

  @Test
  void expiredUnknownAndOrphanedTokensAreInvalid() {
    assertTrue(assertInstanceOf(Verdict.Invalid.class, authority.review(issue(List.of(), NOW), List.of(), o -> true))
        .error().contains("expired"));
    assertInstanceOf(Verdict.Invalid.class, authority.review("lab-forged", List.of(), o -> true));
    assertInstanceOf(Verdict.Invalid.class, authority.review(null, List.of(), o -> true));
    String token = issue(List.of(), NOW.plus(Duration.ofHours(1)));
    Verdict.Invalid gone = assertInstanceOf(Verdict.Invalid.class,
        authority.review(token, List.of(), o -> !o.kind().equals("Pod")));
    assertTrue(gone.error().contains("pod \"palisade-system/agent-x\""), gone.error());
  }
}

package dev.palisade.lab.kube.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Impersonation headers read as kube-apiserver reads them: what is checked, who the request runs as. */
class ImpersonationTest {
  @Test
  void noHeadersNoImpersonation() {
    assertEquals(Optional.empty(), Impersonation.fromHeaders(Map.of("Authorization", List.of("Bearer x"))));
  }

  @Test
  void aServiceAccountIsCheckedAsOneAndGetsItsGroups() {
    Impersonation i = Impersonation.fromHeaders(
        Map.of("impersonate-user", List.of("system:serviceaccount:palisade-system:palisade-agent"))).orElseThrow();
    assertEquals(List.of(RequestInfo.resource("impersonate", "", "serviceaccounts", "", "palisade-system",
        "palisade-agent")), i.checks());
    assertEquals(List.of("system:serviceaccounts", "system:serviceaccounts:palisade-system", User.AUTHENTICATED),
        i.user().groups());
  }

  @Test
  void usersGroupsAndExtrasAreEachChecked() {
    Impersonation i = Impersonation.fromHeaders(Map.of("Impersonate-User", List.of("alice"),
        "Impersonate-Group", List.of("devs", "ops"), "Impersonate-Extra-Scopes", List.of("view"))).orElseThrow();
    assertEquals(List.of(
        RequestInfo.resource("impersonate", "", "users", "", "", "alice"),
        RequestInfo.resource("impersonate", "", "groups", "", "", "devs"),
        RequestInfo.resource("impersonate", "", "groups", "", "", "ops"),
        RequestInfo.resource("impersonate", "authentication.k8s.io", "userextras", "scopes", "", "view")), i.checks());
    assertEquals(List.of("devs", "ops", User.AUTHENTICATED), i.user().groups());
    assertEquals(Map.of("scopes", List.of("view")), i.user().extra());
  }

  @Test
  void groupsWithoutAUserAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Impersonation.fromHeaders(Map.of("Impersonate-Group", List.of("system:masters"))));
    assertTrue(e.getMessage().contains("without impersonating a user"), e.getMessage());
  }
}

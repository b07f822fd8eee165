package dev.palisade.lab.kube;

import dev.palisade.lab.kube.auth.Impersonation;
import dev.palisade.lab.kube.auth.IssuedToken;
import dev.palisade.lab.kube.auth.RbacAuthorizer;
import dev.palisade.lab.kube.auth.RbacPolicy;
import dev.palisade.lab.kube.auth.Refusals;
import dev.palisade.lab.kube.auth.RequestInfo;
import dev.palisade.lab.kube.auth.TokenAuthority;
import dev.palisade.lab.kube.auth.TokenAuthority.BoundObject;
import dev.palisade.lab.kube.auth.TokenBinding;
import dev.palisade.lab.kube.auth.User;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingList;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleList;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingList;
import io.fabric8.kubernetes.api.model.rbac.RoleList;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Authentication and authorization of every request to the lab's API server, as kube-apiserver's
 * filter chain does them: bearer token (401 without a valid one for the API server's audience),
 * then impersonation headers (each {@code impersonate} checked for the real user), then RBAC on the
 * request (403). Reads the ServiceAccounts, pods and nodes tokens are bound to, and the RBAC
 * objects, from the store.
 *
 * <p>The RBAC snapshot is rebuilt on the first request after a write to rbac.authorization.k8s.io
 * (the dispatcher reports every write): writes are rare, requests are many, and the store's lists
 * cost a scan of everything it holds.
 */
final class ApiAccess {
  static final String ADMIN_USER = "lab-admin";
  private static final String RBAC = "/apis/rbac.authorization.k8s.io/v1/";
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  /** What {@link #admit} decided. */
  sealed interface Admission {
    record Admitted(User user, RequestInfo request) implements Admission {}

    record Refused(Status status) implements Admission {}
  }

  /** A refusal to issue a token, with the Status to answer. */
  static final class TokenRefused extends RuntimeException {
    final transient Status status;

    TokenRefused(Status status) {
      super(status.getMessage());
      this.status = status;
    }
  }

  private record CachedPolicy(long generation, RbacPolicy policy) {}

  private final KubernetesCrudDispatcher store;
  private final Clock clock;
  private final TokenAuthority tokens;
  private final String adminToken;
  private final AtomicLong rbacWrites = new AtomicLong();
  private volatile CachedPolicy cached;

  ApiAccess(KubernetesCrudDispatcher store, Clock clock) {
    this.store = store;
    this.clock = clock;
    this.tokens = new TokenAuthority(clock);
    this.adminToken = tokens.issue(new TokenAuthority.Claims(
        User.of(ADMIN_USER, User.MASTERS, User.AUTHENTICATED), List.of(), Optional.empty(), List.of()));
  }

  String adminToken() {
    return adminToken;
  }

  TokenAuthority tokens() {
    return tokens;
  }

  Admission admit(RecordedRequest request) {
    TokenAuthority.Verdict verdict = tokens.review(bearer(request.getHeader("Authorization")), List.of(),
        this::exists);
    if (!(verdict instanceof TokenAuthority.Verdict.Valid valid)) {
      return new Admission.Refused(Refusals.unauthorized());
    }
    User user = valid.user();
    RbacPolicy policy = policy();
    Optional<Impersonation> impersonation;
    try {
      impersonation = Impersonation.fromHeaders(request.getHeaders().toMultimap());
    } catch (IllegalArgumentException e) {
      return new Admission.Refused(Refusals.failure(400, "BadRequest", e.getMessage()));
    }
    if (impersonation.isPresent()) {
      for (RequestInfo check : impersonation.get().checks()) {
        RbacAuthorizer.Decision d = RbacAuthorizer.authorize(policy, user, check);
        if (!d.allowed()) {
          return new Admission.Refused(Refusals.forbidden(user, check, d.reason()));
        }
      }
      user = impersonation.get().user();
    }
    RequestInfo info = RequestInfo.parse(request.getMethod(), request.getPath());
    RbacAuthorizer.Decision d = RbacAuthorizer.authorize(policy, user, info);
    if (!d.allowed()) {
      return new Admission.Refused(Refusals.forbidden(user, info, d.reason()));
    }
    return new Admission.Admitted(user, info);
  }

  /** Called after the store handled a write; one to an RBAC object makes the next request re-read them. */
  void written(String path) {
    // a namespace's deletion may take its Roles and RoleBindings with it
    if (path.startsWith(RBAC) || path.matches("/api/v1/namespaces/[^/]+")) {
      rbacWrites.incrementAndGet();
    }
  }

  RbacPolicy policy() {
    long generation = rbacWrites.get();
    CachedPolicy c = cached;
    if (c != null && c.generation() == generation) {
      return c.policy();
    }
    // read after taking the generation: a write racing with this read bumps it, so the next request re-reads
    RbacPolicy policy = new RbacPolicy(
        list(RBAC + "roles", RoleList.class).getItems(),
        list(RBAC + "clusterroles", ClusterRoleList.class).getItems(),
        list(RBAC + "rolebindings", RoleBindingList.class).getItems(),
        list(RBAC + "clusterrolebindings", ClusterRoleBindingList.class).getItems()).withDefaults();
    cached = new CachedPolicy(generation, policy);
    return policy;
  }

  private <T> T list(String path, Class<T> type) {
    MockResponse r = store.handleGet(path);
    if (r.code() != 200) {
      throw new IllegalStateException("the lab's store answered " + r.code() + " to GET " + path);
    }
    return Serialization.unmarshal(r.getBody().readUtf8(), type);
  }

  /**
   * A ServiceAccount token, as the TokenRequest API issues them.
   *
   * @param audiences empty: the API server's
   * @throws TokenRefused when the ServiceAccount or the bound object does not exist (404), the pod
   *     runs as another ServiceAccount (400), or a uid does not match (409)
   */
  IssuedToken issueServiceAccountToken(String namespace, String serviceAccount, List<String> audiences,
      TokenBinding binding, Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("a token's lifetime must be positive, not " + ttl);
    }
    JsonNode sa = get("serviceaccounts", namespace, serviceAccount);
    BoundObject saRef = new BoundObject("ServiceAccount", namespace, serviceAccount, uid(sa));
    Optional<BoundObject> pod = Optional.empty();
    Optional<BoundObject> node = Optional.empty();
    if (binding instanceof TokenBinding.Pod p) {
      JsonNode object = get("pods", namespace, p.name());
      String runsAs = object.path("spec").path("serviceAccountName").asString("");
      if (!(runsAs.isEmpty() ? "default" : runsAs).equals(serviceAccount)) {
        throw new TokenRefused(Refusals.failure(400, "BadRequest", "cannot bind token for serviceaccount \""
            + serviceAccount + "\" to pod running with different serviceaccount name."));
      }
      pod = Optional.of(new BoundObject("Pod", namespace, p.name(), checkUid("pods", object, p.name(), p.uid())));
      String nodeName = object.path("spec").path("nodeName").asString("");
      if (!nodeName.isEmpty()) {
        node = Optional.of(new BoundObject("Node", "", nodeName, find("nodes", "", nodeName).map(ApiAccess::uid)
            .orElse("")));
      }
    } else if (binding instanceof TokenBinding.Node n) {
      JsonNode object = get("nodes", "", n.name());
      node = Optional.of(new BoundObject("Node", "", n.name(), checkUid("nodes", object, n.name(), n.uid())));
    }
    Instant expires = clock.instant().plus(ttl);
    String token = tokens.issue(TokenAuthority.serviceAccountClaims(saRef, pod, node, audiences, expires));
    return new IssuedToken(token, expires);
  }

  private static String checkUid(String resource, JsonNode object, String name, String wanted) {
    String uid = uid(object);
    if (!wanted.isEmpty() && !wanted.equals(uid)) {
      throw new TokenRefused(Refusals.failure(409, "Conflict", "Operation cannot be fulfilled on " + resource + " \""
          + name + "\": the UID in the bound object reference (" + wanted + ") does not match the UID in record. "
          + "The object might have been deleted and then recreated"));
    }
    return uid;
  }

  private JsonNode get(String resource, String namespace, String name) {
    return find(resource, namespace, name).orElseThrow(() -> new TokenRefused(
        Refusals.failure(404, "NotFound", resource + " \"" + name + "\" not found")));
  }

  private Optional<JsonNode> find(String resource, String namespace, String name) {
    String path = namespace.isEmpty() ? "/api/v1/" + resource + "/" + name
        : "/api/v1/namespaces/" + namespace + "/" + resource + "/" + name;
    MockResponse r = store.handleGet(path);
    return r.code() == 200 ? Optional.of(MAPPER.readTree(r.getBody().readUtf8())) : Optional.empty();
  }

  /** Whether an object a token is bound to still exists, with the uid it had. */
  boolean exists(BoundObject o) {
    String resource = switch (o.kind()) {
      case "ServiceAccount" -> "serviceaccounts";
      case "Pod" -> "pods";
      case "Node" -> "nodes";
      default -> throw new IllegalArgumentException("tokens are not bound to " + o.kind());
    };
    return find(resource, o.namespace(), o.name()).map(j -> o.uid().isEmpty() || o.uid().equals(uid(j)))
        .orElse(false);
  }

  private static String uid(JsonNode object) {
    return object.path("metadata").path("uid").asString("");
  }

  /** The token of an {@code Authorization: Bearer TOKEN} header, or null. */
  static String bearer(String header) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    if (h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = h.substring(7).trim();
    return token.isEmpty() ? null : token;
  }
}

package dev.palisade.lab.kube.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The bearer tokens the lab's API server accepts: opaque random strings kept in memory with what
 * they stand for (a user, audiences, an expiry, the objects they are bound to). A cluster signs
 * JWTs instead; nothing outside the API server reads these tokens, so the lab need not.
 *
 * <p>A token is valid for a set of audiences only if it was issued for one of them; the API server
 * itself is the audience {@value #API_AUDIENCE}, which tokens issued with no audience get, as in a
 * cluster. A ServiceAccount token stops working when its ServiceAccount or the pod or node it is
 * bound to is deleted (or replaced by one with another uid): the caller says which objects still
 * exist. Thread-safe.
 */
public final class TokenAuthority {
  public static final String API_AUDIENCE = "https://kubernetes.default.svc";
  /** User-info extras Kubernetes 1.30+ gives tokens bound to a pod (and, from 1.32, to a node). */
  public static final String POD_NAME = "authentication.kubernetes.io/pod-name";
  public static final String POD_UID = "authentication.kubernetes.io/pod-uid";
  public static final String NODE_NAME = "authentication.kubernetes.io/node-name";
  public static final String NODE_UID = "authentication.kubernetes.io/node-uid";
  public static final String CREDENTIAL_ID = "authentication.kubernetes.io/credential-id";

  /** An object a token depends on; an empty uid matches any object of that name. */
  public record BoundObject(String kind, String namespace, String name, String uid) {
    public BoundObject {
      namespace = namespace == null ? "" : namespace;
      uid = uid == null ? "" : uid;
    }

    @Override
    public String toString() {
      return kind.toLowerCase() + " \"" + (namespace.isEmpty() ? "" : namespace + "/") + name + "\"";
    }
  }

  /** What a token stands for. {@code expiresAt} empty: never expires (the admin token). */
  public record Claims(User user, List<String> audiences, Optional<Instant> expiresAt, List<BoundObject> boundTo) {
    public Claims {
      audiences = audiences.isEmpty() ? List.of(API_AUDIENCE) : List.copyOf(audiences);
      boundTo = List.copyOf(boundTo);
    }
  }

  /** The outcome of checking a token for some audiences. */
  public sealed interface Verdict {
    /** @param audiences the wanted audiences the token is valid for */
    record Valid(User user, List<String> audiences, Claims claims) implements Verdict {}

    /** @param error why, worded as kube-apiserver's TokenReview errors */
    record Invalid(String error) implements Verdict {}
  }

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Claims> tokens = new ConcurrentHashMap<>();

  public TokenAuthority(Clock clock) {
    this.clock = clock;
  }

  /** A new token for these claims. */
  public String issue(Claims claims) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String token = "lab-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    tokens.put(token, claims);
    return token;
  }

  /**
   * The claims of a ServiceAccount token as kube-apiserver makes them: user
   * {@code system:serviceaccount:NS:NAME}, its groups, and for a token bound to a pod or a node the
   * extras naming them (a pod's node comes from its spec.nodeName).
   *
   * @param pod the pod it is bound to (in the ServiceAccount's namespace), if any
   * @param node the pod's node, or the node it is bound to directly when there is no pod
   */
  public static Claims serviceAccountClaims(BoundObject serviceAccount, Optional<BoundObject> pod,
      Optional<BoundObject> node, List<String> audiences, Instant expiresAt) {
    List<String> groups = new ArrayList<>(User.serviceAccountGroups(serviceAccount.namespace()));
    groups.add(User.AUTHENTICATED);
    Map<String, List<String>> extra = new LinkedHashMap<>();
    List<BoundObject> bound = new ArrayList<>(List.of(serviceAccount));
    if (pod.isPresent() || node.isPresent()) {
      // only bound tokens carry a credential id (the JWT's jti) in Kubernetes 1.30+
      extra.put(CREDENTIAL_ID, List.of("JTI=" + UUID.randomUUID()));
    }
    pod.ifPresent(p -> {
      extra.put(POD_NAME, List.of(p.name()));
      extra.put(POD_UID, List.of(p.uid()));
      bound.add(p);
    });
    node.ifPresent(n -> {
      extra.put(NODE_NAME, List.of(n.name()));
      if (!n.uid().isEmpty()) {
        extra.put(NODE_UID, List.of(n.uid()));
      }
      if (pod.isEmpty()) {
        bound.add(n);
      }
    });
    User user = new User(User.serviceAccountName(serviceAccount.namespace(), serviceAccount.name()),
        serviceAccount.uid(), groups, extra);
    return new Claims(user, audiences, Optional.of(expiresAt), bound);
  }

  /**
   * Checks a token for the wanted audiences (empty: the API server's).
   *
   * @param exists whether a bound object still exists with the same uid
   */
  public Verdict review(String token, List<String> wanted, Predicate<BoundObject> exists) {
    Claims claims = token == null ? null : tokens.get(token);
    if (claims == null) {
      return new Verdict.Invalid("invalid bearer token");
    }
    if (claims.expiresAt().isPresent() && !clock.instant().isBefore(claims.expiresAt().get())) {
      tokens.remove(token);
      return new Verdict.Invalid("[invalid bearer token, service account token has expired]");
    }
    List<String> targets = wanted == null || wanted.isEmpty() ? List.of(API_AUDIENCE) : wanted;
    List<String> valid = targets.stream().filter(claims.audiences()::contains).distinct().toList();
    if (valid.isEmpty()) {
      return new Verdict.Invalid("[invalid bearer token, token audiences %s is invalid for the target audiences %s]"
          .formatted(quoted(claims.audiences()), quoted(targets)));
    }
    for (BoundObject o : claims.boundTo()) {
      if (!exists.test(o)) {
        return new Verdict.Invalid("[invalid bearer token, " + o + " (uid " + o.uid() + ") no longer exists]");
      }
    }
    return new Verdict.Valid(claims.user(), valid, claims);
  }

  /** How many tokens are held, expired ones not yet seen included. */
  int size() {
    return tokens.size();
  }

  private static String quoted(List<String> values) {
    return values.stream().map(v -> "\"" + v + "\"").toList().toString().replace(", ", " ");
  }
}

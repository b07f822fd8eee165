package dev.palisade.controller.api;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Agents in a cluster: their ServiceAccount token, checked by the API server with a TokenReview
 * (authentication.k8s.io/v1). Only the agents' ServiceAccount is accepted, and only with a token
 * bound to a pod on a node: the node becomes the principal's name, because an agent may report
 * flows of its own node only (the API server adds {@value #NODE_NAME} to bound tokens' user info
 * from Kubernetes 1.30 on; tokens without it are refused, never trusted with a node of their choice).
 *
 * <p>Results are cached for a short TTL, positive and negative alike, so agents posting every second
 * and a caller retrying a bad token do not cost a review per request. Only token digests are kept.
 * A review that fails (API server unreachable) refuses the request and is not cached. Reviews are
 * rate-limited ({@value #REVIEWS_PER_SECOND}/s, bursts of {@value #REVIEW_BURST}): a flood of
 * distinct bad tokens is refused without asking the API server.
 */
public final class TokenReviewAuthenticator implements Authenticator {
  /** The user-info extra the API server fills with the node of the pod a token is bound to. */
  public static final String NODE_NAME = "authentication.kubernetes.io/node-name";
  private static final Logger LOG = LoggerFactory.getLogger(TokenReviewAuthenticator.class);
  private static final int MAX_CACHED = 10_000;

  private record Cached(Optional<Principal> principal, long expiresAt) {}

  private final KubernetesClient client;
  private final String agentUser;
  private final List<String> audiences;
  private final long ttlNanos;
  private final LongSupplier nanoTime;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  /** TokenReviews per second the API server is asked for, and the burst (every agent of a big cluster at once). */
  static final int REVIEWS_PER_SECOND = 50;
  static final int REVIEW_BURST = 500;
  private final TokenBucket reviews;
  private volatile long limited;

  /**
   * @param agentNamespace namespace of the agents' ServiceAccount
   * @param agentServiceAccount its name (deploy/base/rbac-agent.yaml: palisade-agent)
   * @param audiences audiences the token must be valid for; empty: the API server's own
   */
  public TokenReviewAuthenticator(KubernetesClient client, String agentNamespace, String agentServiceAccount,
      List<String> audiences, Duration ttl) {
    this(client, agentNamespace, agentServiceAccount, audiences, ttl, System::nanoTime);
  }

  TokenReviewAuthenticator(KubernetesClient client, String agentNamespace, String agentServiceAccount,
      List<String> audiences, Duration ttl, LongSupplier nanoTime) {
    this.client = client;
    this.agentUser = "system:serviceaccount:" + agentNamespace + ":" + agentServiceAccount;
    this.audiences = List.copyOf(audiences);
    this.ttlNanos = ttl.toNanos();
    this.nanoTime = nanoTime;
    this.reviews = new TokenBucket(REVIEWS_PER_SECOND, REVIEW_BURST, nanoTime.getAsLong());
  }

  @Override
  public Optional<Principal> authenticate(String bearerToken) {
    if (bearerToken == null || bearerToken.isEmpty()) {
      return Optional.empty();
    }
    String key = digest(bearerToken);
    long now = nanoTime.getAsLong();
    Cached hit = cache.get(key);
    if (hit != null && now - hit.expiresAt() < 0) {
      return hit.principal();
    }
    if (!reviews.take(now)) {
      // a flood of tokens the cache does not know: the API server is not made to pay for it
      if (limited++ % 100 == 0) {
        LOG.warn("more than {} TokenReviews a second asked: refusing unknown tokens until the rate falls ({} so far)",
            REVIEWS_PER_SECOND, limited);
      }
      return Optional.empty();
    }
    Optional<Principal> result;
    try {
      result = review(bearerToken);
    } catch (KubernetesClientException e) {
      LOG.warn("TokenReview failed, refusing the request: {}", e.getMessage());
      return Optional.empty();
    }
    if (cache.size() >= MAX_CACHED) {
      cache.values().removeIf(c -> now - c.expiresAt() >= 0);
      if (cache.size() >= MAX_CACHED) {
        cache.clear(); // a flood of distinct tokens: forget rather than grow
      }
    }
    cache.put(key, new Cached(result, now + ttlNanos));
    return result;
  }

  private Optional<Principal> review(String token) {
    TokenReview request = new TokenReviewBuilder().withNewSpec().withToken(token).withAudiences(audiences).endSpec()
        .build();
    TokenReview answer = client.tokenReviews().create(request);
    TokenReviewStatus status = answer == null ? null : answer.getStatus();
    if (status == null || !Boolean.TRUE.equals(status.getAuthenticated()) || status.getUser() == null) {
      return Optional.empty();
    }
    UserInfo user = status.getUser();
    if (!agentUser.equals(user.getUsername())) {
      LOG.info("refusing {}: only {} may call the agent API", user.getUsername(), agentUser);
      return Optional.empty();
    }
    if (!audiences.isEmpty() && (status.getAudiences() == null
        || status.getAudiences().stream().noneMatch(audiences::contains))) {
      LOG.info("refusing a token of {} issued for audiences {}, not {}", user.getUsername(), status.getAudiences(),
          audiences);
      return Optional.empty();
    }
    List<String> node = user.getExtra() == null ? null : user.getExtra().get(NODE_NAME);
    if (node == null || node.size() != 1 || node.get(0).isBlank()) {
      LOG.warn("refusing a token of {} that is not bound to a pod on a node (no {}; Kubernetes 1.30+ with "
          + "projected ServiceAccount tokens adds it)", user.getUsername(), NODE_NAME);
      return Optional.empty();
    }
    return Optional.of(new Principal(node.get(0), Role.AGENT));
  }

  private static String digest(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }
}

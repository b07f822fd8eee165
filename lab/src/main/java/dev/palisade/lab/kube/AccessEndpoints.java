package dev.palisade.lab.kube;

import dev.palisade.lab.kube.auth.AccessReviews;
import dev.palisade.lab.kube.auth.IssuedToken;
import dev.palisade.lab.kube.auth.KubeProtobuf;
import dev.palisade.lab.kube.auth.Refusals;
import dev.palisade.lab.kube.auth.RequestInfo;
import dev.palisade.lab.kube.auth.TokenBinding;
import dev.palisade.lab.kube.auth.User;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.authentication.BoundObjectReference;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestSpec;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestStatus;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewSpec;
import io.fabric8.kubernetes.api.model.authorization.v1.LocalSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewSpec;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The API server's own authentication and authorization APIs, which the store cannot answer since
 * they create nothing: TokenRequest (serviceaccounts/token), TokenReview, SelfSubjectReview
 * ({@code kubectl auth whoami}), SubjectAccessReview, LocalSubjectAccessReview and
 * SelfSubjectAccessReview ({@code kubectl auth can-i}). Each answers 201 with the object it was sent
 * and its status filled in, in JSON, whether it came in JSON or (from kubectl) in protobuf. Callers were already authorized by {@link ApiAccess} ({@code create} on
 * the resource), as in a cluster.
 */
final class AccessEndpoints {
  private static final String AUTHN = "authentication.k8s.io";
  private static final String AUTHZ = "authorization.k8s.io";
  private static final Set<String> REVIEWS = Set.of("tokenreviews", "selfsubjectreviews", "subjectaccessreviews",
      "localsubjectaccessreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews");
  /** kube-apiserver's bounds and default for TokenRequest.spec.expirationSeconds. */
  private static final long MIN_SECONDS = 600;
  private static final long DEFAULT_SECONDS = 3600;

  private final ApiAccess access;

  AccessEndpoints(ApiAccess access) {
    this.access = access;
  }

  /** The answer when the request is for one of these APIs, else empty (the store answers). */
  Optional<MockResponse> handle(RecordedRequest request, User user, RequestInfo info) {
    if (!info.resourceRequest()) {
      return Optional.empty();
    }
    boolean tokenRequest = info.apiGroup().isEmpty() && info.resource().equals("serviceaccounts")
        && info.subresource().equals("token");
    boolean review = (info.apiGroup().equals(AUTHN) || info.apiGroup().equals(AUTHZ))
        && REVIEWS.contains(info.resource());
    if (!tokenRequest && !review) {
      return Optional.empty();
    }
    if (!info.verb().equals("create")) {
      return Optional.of(reply(Refusals.failure(405, "MethodNotAllowed",
          "the server does not allow this method on the requested resource")));
    }
    try {
      Object answer = switch (info.resource()) {
        case "serviceaccounts" -> tokenRequest(request, info);
        case "tokenreviews" -> tokenReview(request);
        case "selfsubjectreviews" -> selfSubjectReview(user);
        case "subjectaccessreviews" -> subjectAccessReview(request);
        case "localsubjectaccessreviews" -> localSubjectAccessReview(request, info);
        case "selfsubjectaccessreviews" -> selfSubjectAccessReview(request, user);
        default -> throw new IllegalArgumentException("the lab API server does not answer " + info.resource());
      };
      return Optional.of(json(201, Serialization.asJson(answer)));
    } catch (ApiAccess.TokenRefused e) {
      return Optional.of(reply(e.status));
    } catch (IllegalArgumentException e) {
      return Optional.of(reply(Refusals.failure(422, "Invalid", e.getMessage())));
    } catch (RuntimeException e) {
      // an unreadable body: fabric8 wraps Jackson's error
      return Optional.of(reply(Refusals.failure(400, "BadRequest", "cannot read the " + info.resource()
          + " body: " + e.getMessage())));
    }
  }

  private TokenRequest tokenRequest(RecordedRequest request, RequestInfo info) {
    TokenRequest tr;
    if (protobuf(request)) {
      tr = KubeProtobuf.tokenRequest(bytes(request));
    } else {
      String body = request.getUtf8Body();
      tr = body == null || body.isBlank() ? new TokenRequest() : Serialization.unmarshal(body, TokenRequest.class);
    }
    TokenRequestSpec spec = tr.getSpec() == null ? new TokenRequestSpec() : tr.getSpec();
    long seconds = spec.getExpirationSeconds() == null ? DEFAULT_SECONDS : spec.getExpirationSeconds();
    if (seconds < MIN_SECONDS) {
      throw new IllegalArgumentException(
          "spec.expirationSeconds: Invalid value: " + seconds + ": may not specify a duration less than 10 minutes");
    }
    TokenBinding binding = TokenBinding.none();
    BoundObjectReference ref = spec.getBoundObjectRef();
    if (ref != null) {
      String uid = ref.getUid() == null ? "" : ref.getUid();
      binding = switch (String.valueOf(ref.getKind())) {
        case "Pod" -> new TokenBinding.Pod(ref.getName(), uid);
        case "Node" -> new TokenBinding.Node(ref.getName(), uid);
        default -> throw new ApiAccess.TokenRefused(Refusals.failure(400, "BadRequest",
            "cannot bind token to object of type " + ref.getKind() + " (the lab binds to Pod or Node)"));
      };
    }
    IssuedToken issued = access.issueServiceAccountToken(info.namespace(), info.name(),
        spec.getAudiences() == null ? List.of() : spec.getAudiences(), binding, Duration.ofSeconds(seconds));
    spec.setExpirationSeconds(seconds);
    tr.setSpec(spec);
    tr.setMetadata(new ObjectMetaBuilder().withName(info.name()).withNamespace(info.namespace())
        .withCreationTimestamp(timestamp(issued.expiresAt().minusSeconds(seconds))).build());
    tr.setStatus(new TokenRequestStatus(timestamp(issued.expiresAt()), issued.token()));
    return tr;
  }

  private TokenReview tokenReview(RecordedRequest request) {
    TokenReview review = protobuf(request) ? KubeProtobuf.tokenReview(bytes(request))
        : Serialization.unmarshal(request.getUtf8Body(), TokenReview.class);
    TokenReviewSpec spec = review.getSpec() == null ? new TokenReviewSpec() : review.getSpec();
    review.setStatus(AccessReviews.tokenReview(access.tokens().review(spec.getToken(),
        spec.getAudiences() == null ? List.of() : spec.getAudiences(), access::exists)));
    return review;
  }

  private static SelfSubjectReview selfSubjectReview(User user) {
    SelfSubjectReview review = new SelfSubjectReview();
    review.setMetadata(new ObjectMetaBuilder().build());
    review.setStatus(new SelfSubjectReviewStatusBuilder().withUserInfo(AccessReviews.userInfo(user)).build());
    return review;
  }

  private SubjectAccessReview subjectAccessReview(RecordedRequest request) {
    SubjectAccessReview review = new SubjectAccessReview();
    if (protobuf(request)) {
      review.setSpec(KubeProtobuf.subjectAccessReviewSpec(bytes(request)));
    } else {
      review = Serialization.unmarshal(request.getUtf8Body(), SubjectAccessReview.class);
    }
    SubjectAccessReviewSpec spec = spec(review.getSpec());
    review.setStatus(AccessReviews.decide(access.policy(), AccessReviews.subject(spec),
        AccessReviews.request(spec.getResourceAttributes(), spec.getNonResourceAttributes())));
    return review;
  }

  private LocalSubjectAccessReview localSubjectAccessReview(RecordedRequest request, RequestInfo info) {
    LocalSubjectAccessReview review = new LocalSubjectAccessReview();
    if (protobuf(request)) {
      review.setSpec(KubeProtobuf.subjectAccessReviewSpec(bytes(request)));
      review.setMetadata(new ObjectMetaBuilder().withNamespace(info.namespace()).build());
    } else {
      review = Serialization.unmarshal(request.getUtf8Body(), LocalSubjectAccessReview.class);
    }
    SubjectAccessReviewSpec spec = spec(review.getSpec());
    if (spec.getNonResourceAttributes() != null || spec.getResourceAttributes() == null
        || !info.namespace().equals(spec.getResourceAttributes().getNamespace())) {
      throw new IllegalArgumentException("spec.resourceAttributes.namespace: Invalid value: must be "
          + info.namespace() + ", the namespace of the request (and nonResourceAttributes are not allowed)");
    }
    review.setStatus(AccessReviews.decide(access.policy(), AccessReviews.subject(spec),
        AccessReviews.request(spec.getResourceAttributes(), null)));
    return review;
  }

  private SelfSubjectAccessReview selfSubjectAccessReview(RecordedRequest request, User user) {
    SelfSubjectAccessReview review = protobuf(request) ? KubeProtobuf.selfSubjectAccessReview(bytes(request))
        : Serialization.unmarshal(request.getUtf8Body(), SelfSubjectAccessReview.class);
    SelfSubjectAccessReviewSpec spec = review.getSpec() == null ? new SelfSubjectAccessReviewSpec() : review.getSpec();
    review.setStatus(AccessReviews.decide(access.policy(), user,
        AccessReviews.request(spec.getResourceAttributes(), spec.getNonResourceAttributes())));
    return review;
  }

  /** kubectl's typed clientset sends these kinds in protobuf; the answer goes back in JSON all the same. */
  private static boolean protobuf(RecordedRequest request) {
    String type = request.getHeader("Content-Type");
    return type != null && type.contains("protobuf");
  }

  private static byte[] bytes(RecordedRequest request) {
    return request.getBody().getBytes();
  }

  private static SubjectAccessReviewSpec spec(SubjectAccessReviewSpec spec) {
    return spec == null ? new SubjectAccessReviewSpec() : spec;
  }

  private static String timestamp(java.time.Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  static MockResponse reply(Status status) {
    return json(status.getCode(), Serialization.asJson(status));
  }

  static MockResponse json(int code, String body) {
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", LabApiDispatcher.JSON).setBody(body);
  }
}

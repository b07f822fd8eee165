package dev.palisade.lab.kube.auth;

import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authentication.UserInfoBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.NonResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewSpec;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatusBuilder;
import java.util.List;
import java.util.Map;

/**
 * The answers of the review APIs, computed from their specs; pure. SubjectAccessReview and
 * SelfSubjectAccessReview (authorization.k8s.io/v1) ask RBAC about one request, given by
 * resourceAttributes or nonResourceAttributes; TokenReview (authentication.k8s.io/v1) reports a
 * token's user and audiences or why it is invalid.
 */
public final class AccessReviews {
  private AccessReviews() {}

  /**
   * The request a review's attributes describe; exactly one of the two must be given.
   *
   * @throws IllegalArgumentException naming what is missing or doubled
   */
  public static RequestInfo request(ResourceAttributes resource, NonResourceAttributes nonResource) {
    if ((resource == null) == (nonResource == null)) {
      throw new IllegalArgumentException(resource == null
          ? "spec.resourceAttributes: Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified"
          : "spec.nonResourceAttributes: Invalid value: cannot be specified in combination with resourceAttributes");
    }
    if (nonResource != null) {
      return RequestInfo.nonResource(orEmpty(nonResource.getVerb()), orEmpty(nonResource.getPath()));
    }
    String verb = orEmpty(resource.getVerb());
    if (verb.isEmpty()) {
      throw new IllegalArgumentException("spec.resourceAttributes.verb: Required value");
    }
    return RequestInfo.resource(verb, resource.getGroup(), resource.getResource(), resource.getSubresource(),
        resource.getNamespace(), resource.getName());
  }

  /**
   * The user a SubjectAccessReview asks about.
   *
   * @throws IllegalArgumentException when neither a user nor groups are given
   */
  public static User subject(SubjectAccessReviewSpec spec) {
    List<String> groups = spec.getGroups() == null ? List.of() : spec.getGroups();
    String name = orEmpty(spec.getUser());
    if (name.isEmpty() && groups.isEmpty()) {
      throw new IllegalArgumentException("spec.user: Invalid value: \"\": at least one of user or group must be specified");
    }
    Map<String, List<String>> extra = spec.getExtra() == null ? Map.of() : spec.getExtra();
    return new User(name, spec.getUid(), groups, extra);
  }

  public static SubjectAccessReviewStatus decide(RbacPolicy policy, User user, RequestInfo request) {
    RbacAuthorizer.Decision d = RbacAuthorizer.authorize(policy, user, request);
    SubjectAccessReviewStatusBuilder status = new SubjectAccessReviewStatusBuilder().withAllowed(d.allowed());
    if (!d.reason().isEmpty()) {
      status.withReason(d.reason());
    }
    return status.build();
  }

  public static TokenReviewStatus tokenReview(TokenAuthority.Verdict verdict) {
    if (verdict instanceof TokenAuthority.Verdict.Valid valid) {
      return new TokenReviewStatusBuilder().withAuthenticated(true).withUser(userInfo(valid.user()))
          .withAudiences(valid.audiences()).build();
    }
    return new TokenReviewStatusBuilder().withAuthenticated(false)
        .withError(((TokenAuthority.Verdict.Invalid) verdict).error()).build();
  }

  public static UserInfo userInfo(User user) {
    UserInfoBuilder info = new UserInfoBuilder().withUsername(user.name()).withGroups(user.groups());
    if (!user.uid().isEmpty()) {
      info.withUid(user.uid());
    }
    if (!user.extra().isEmpty()) {
      info.withExtra(user.extra());
    }
    return info.build();
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }
}

package dev.palisade.lab.kube.auth;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusDetailsBuilder;

/**
 * The Status objects kube-apiserver answers when it refuses a request, worded as it words them
 * (k8s.io/apiserver pkg/endpoints/handlers/responsewriters/errors.go), so that clients and people
 * reading logs see what a cluster would show.
 */
public final class Refusals {
  private Refusals() {}

  /** 401: no token, an unknown or expired one, or one for another audience. */
  public static Status unauthorized() {
    return new StatusBuilder().withNewMetadata().endMetadata().withStatus("Failure").withMessage("Unauthorized")
        .withReason("Unauthorized").withCode(401).build();
  }

  /**
   * 403, e.g. {@code pods is forbidden: User "system:serviceaccount:x:y" cannot list resource "pods" in
   * API group "" at the cluster scope}; an authorizer's reason, when it has one, follows after ": ".
   */
  public static Status forbidden(User user, RequestInfo request, String reason) {
    String message = forbiddenMessage(user, request) + (reason == null || reason.isEmpty() ? "" : ": " + reason);
    String qualified = "";
    if (request.resourceRequest()) {
      qualified = request.apiGroup().isEmpty() ? request.resource() : request.resource() + "." + request.apiGroup();
    }
    String full;
    if (qualified.isEmpty()) {
      full = "forbidden: " + message;
    } else if (request.name().isEmpty()) {
      full = qualified + " is forbidden: " + message;
    } else {
      full = qualified + " \"" + request.name() + "\" is forbidden: " + message;
    }
    return new StatusBuilder().withNewMetadata().endMetadata().withStatus("Failure").withMessage(full)
        .withReason("Forbidden").withDetails(new StatusDetailsBuilder().withName(emptyToNull(request.name()))
            .withGroup(emptyToNull(request.apiGroup())).withKind(emptyToNull(request.resource())).build())
        .withCode(403).build();
  }

  /** The sentence after "is forbidden: ". */
  public static String forbiddenMessage(User user, RequestInfo request) {
    if (!request.resourceRequest()) {
      return "User \"%s\" cannot %s path \"%s\"".formatted(user.name(), request.verb(), request.path());
    }
    String resource = request.resourceWithSubresource();
    if (!request.namespace().isEmpty()) {
      return "User \"%s\" cannot %s resource \"%s\" in API group \"%s\" in the namespace \"%s\"".formatted(
          user.name(), request.verb(), resource, request.apiGroup(), request.namespace());
    }
    return "User \"%s\" cannot %s resource \"%s\" in API group \"%s\" at the cluster scope".formatted(user.name(),
        request.verb(), resource, request.apiGroup());
  }

  /** Any other refusal with a reason kube-apiserver uses (BadRequest, NotFound, Invalid...). */
  public static Status failure(int code, String reason, String message) {
    return new StatusBuilder().withNewMetadata().endMetadata().withStatus("Failure").withMessage(message)
        .withReason(reason).withCode(code).build();
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}

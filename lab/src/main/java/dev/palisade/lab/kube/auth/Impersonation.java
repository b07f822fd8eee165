package dev.palisade.lab.kube.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A request to act as another user ({@code kubectl --as/--as-group}): the Impersonate-User,
 * Impersonate-Group, Impersonate-Uid and Impersonate-Extra-KEY headers, read as kube-apiserver's
 * impersonation filter reads them. Pure: {@link #checks} lists the {@code impersonate} requests the
 * real user must be allowed, {@link #user} is who the request then runs as.
 *
 * <p>As upstream: a ServiceAccount user name ({@code system:serviceaccount:NS:NAME}) is checked as
 * impersonating that ServiceAccount, and gets the ServiceAccount groups when no group is given;
 * every impersonated user except system:anonymous is in system:authenticated unless
 * system:unauthenticated is asked for.
 */
public record Impersonation(String userName, List<String> groups, String uid, Map<String, List<String>> extra) {
  public static final String USER = "Impersonate-User";
  public static final String GROUP = "Impersonate-Group";
  public static final String UID = "Impersonate-Uid";
  public static final String EXTRA_PREFIX = "Impersonate-Extra-";

  public Impersonation {
    groups = List.copyOf(groups);
    uid = uid == null ? "" : uid;
    extra = Map.copyOf(extra);
  }

  /**
   * The impersonation the headers ask for, if any.
   *
   * @param headers header names (any case) to their values
   * @throws IllegalArgumentException when groups, a uid or extras come without a user, as upstream refuses
   */
  public static Optional<Impersonation> fromHeaders(Map<String, List<String>> headers) {
    String user = null;
    List<String> groups = new ArrayList<>();
    String uid = "";
    Map<String, List<String>> extra = new LinkedHashMap<>();
    boolean any = false;
    for (Map.Entry<String, List<String>> h : headers.entrySet()) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (name.equals(USER.toLowerCase(Locale.ROOT))) {
        user = h.getValue().isEmpty() ? "" : h.getValue().get(0);
        any = true;
      } else if (name.equals(GROUP.toLowerCase(Locale.ROOT))) {
        groups.addAll(h.getValue());
        any = true;
      } else if (name.equals(UID.toLowerCase(Locale.ROOT))) {
        uid = h.getValue().isEmpty() ? "" : h.getValue().get(0);
        any = true;
      } else if (name.startsWith(EXTRA_PREFIX.toLowerCase(Locale.ROOT))) {
        String key = URLDecoder.decode(name.substring(EXTRA_PREFIX.length()), StandardCharsets.UTF_8);
        extra.computeIfAbsent(key, k -> new ArrayList<>()).addAll(h.getValue());
        any = true;
      }
    }
    if (!any) {
      return Optional.empty();
    }
    if (user == null || user.isEmpty()) {
      throw new IllegalArgumentException("requested impersonation of groups " + groups + ", uid '" + uid
          + "' or extras " + extra.keySet() + " without impersonating a user");
    }
    return Optional.of(new Impersonation(user, groups, uid, extra));
  }

  /** The {@code impersonate} requests the real user must be allowed, one per thing impersonated. */
  public List<RequestInfo> checks() {
    List<RequestInfo> checks = new ArrayList<>();
    Optional<String[]> sa = serviceAccount(userName);
    if (sa.isPresent()) {
      checks.add(RequestInfo.resource("impersonate", "", "serviceaccounts", "", sa.get()[0], sa.get()[1]));
    } else {
      checks.add(RequestInfo.resource("impersonate", "", "users", "", "", userName));
    }
    for (String g : groups) {
      checks.add(RequestInfo.resource("impersonate", "", "groups", "", "", g));
    }
    if (!uid.isEmpty()) {
      checks.add(RequestInfo.resource("impersonate", "authentication.k8s.io", "uids", "", "", uid));
    }
    extra.forEach((key, values) -> values.forEach(v ->
        checks.add(RequestInfo.resource("impersonate", "authentication.k8s.io", "userextras", key, "", v))));
    return checks;
  }

  /** Who the request runs as once every check passed. */
  public User user() {
    List<String> all = new ArrayList<>(groups);
    Optional<String[]> sa = serviceAccount(userName);
    if (groups.isEmpty() && sa.isPresent()) {
      all.addAll(User.serviceAccountGroups(sa.get()[0]));
    }
    if (!userName.equals(User.ANONYMOUS) && !all.contains(User.AUTHENTICATED) && !all.contains(User.UNAUTHENTICATED)) {
      all.add(User.AUTHENTICATED);
    }
    return new User(userName, uid, all, extra);
  }

  /** {namespace, name} of a ServiceAccount user name. */
  private static Optional<String[]> serviceAccount(String userName) {
    if (!userName.startsWith(User.SERVICE_ACCOUNT_PREFIX)) {
      return Optional.empty();
    }
    String[] parts = userName.substring(User.SERVICE_ACCOUNT_PREFIX.length()).split(":", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(parts);
  }
}

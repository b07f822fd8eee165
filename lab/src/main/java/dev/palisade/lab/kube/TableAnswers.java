package dev.palisade.lab.kube;

import dev.palisade.lab.kube.auth.RequestInfo;
import dev.palisade.lab.kube.table.BuiltinPrinters;
import dev.palisade.lab.kube.table.CustomColumnPrinter;
import dev.palisade.lab.kube.table.RowPrinter;
import dev.palisade.lab.kube.table.TableRenderer;
import dev.palisade.lab.kube.table.TableRequest;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Server-side printing for the lab's API server: picks the {@link RowPrinter} of a request's
 * resource (a built-in printer, the columns of the custom resource's CRD, else NAME and AGE) and
 * turns the store's JSON answer, or one watched object, into a meta.k8s.io Table. The CRD is read
 * at each request, so a changed CRD prints at once; a list GET is rare enough for that.
 */
final class TableAnswers {
  /** Groups whose kinds are built in: their resources never take columns from a CRD. */
  private static final Set<String> BUILT_IN_GROUPS = Set.of("", "apps", "batch", "discovery.k8s.io",
      "networking.k8s.io", "apiextensions.k8s.io", "coordination.k8s.io", "rbac.authorization.k8s.io",
      "authentication.k8s.io", "authorization.k8s.io", "policy", "events.k8s.io", "storage.k8s.io");

  private final CustomResourceSchemas crds;
  private final Clock clock;

  /** {@code store} reads an object by its API path, empty when there is none. */
  TableAnswers(Function<String, Optional<JsonNode>> store, Clock clock) {
    this.crds = new CustomResourceSchemas(store);
    this.clock = clock;
  }

  RowPrinter printer(RequestInfo info) {
    Optional<RowPrinter> builtin = BuiltinPrinters.forResource(info.apiGroup(), info.resource());
    if (builtin.isPresent() || BUILT_IN_GROUPS.contains(info.apiGroup())) {
      return builtin.orElse(BuiltinPrinters.DEFAULT);
    }
    return crds.crd(info.resource() + "." + info.apiGroup())
        .map(crd -> CustomColumnPrinter.of(crd, info.apiVersion()))
        .orElse(BuiltinPrinters.DEFAULT);
  }

  /** The Table of the store's answer (a List or one object) to a GET of {@code info}. */
  ObjectNode table(RequestInfo info, JsonNode answer, TableRequest request) {
    return TableRenderer.render(answer, printer(info), request, clock.instant());
  }
}

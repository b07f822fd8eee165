package dev.palisade.dataplane.agent;

import dev.palisade.model.ProblemEventName;

/**
 * The name of the one Warning Event that tells a skipped object's problem, the same on every node
 * and after every restart ({@link ProblemEventName}): over its kind, namespace, name, uid,
 * generation, the reason and the message, never the node. Another agent's create of it is then
 * refused as AlreadyExists: one Event per problem, cluster-wide.
 */
final class WarningEventName {
  static final int MAX_LENGTH = ProblemEventName.MAX_LENGTH;

  private WarningEventName() {}

  static String of(ObjectProblems.Problem p, String reason) {
    return ProblemEventName.of(p.name(), p.kind(), p.namespace(), p.name(), p.uid(), p.generation(), reason,
        p.message());
  }
}

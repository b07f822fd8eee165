package dev.palisade.controller.review;

import dev.palisade.controller.events.ObjectWarnings;
import dev.palisade.model.ObjectProblem;
import io.fabric8.kubernetes.api.model.ObjectReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the author of a bad mode setting (a SegmentationMode whose mode or target does not parse,
 * two of them for one target, a {@code palisade.dev/mode} annotation that is not learn, monitor or
 * enforce) where they look: a Warning Event on the object that carries it and a log line. The
 * resolver has already failed closed (enforce at that level); without this, the typo that made a
 * namespace enforce instead of learn would be found only in the controller's log.
 *
 * <p>Told once per version of the setting and of what is wrong with it: modes are resolved again
 * on every change anywhere, so the same problem comes back many times and must not become many
 * Events. The version is the object's resourceVersion as of when its setting took its value (a
 * Deployment's own moves with every status update and rollout, which change nothing here) with
 * the problem's text, so a new bad value, or a clash that appears later, is told again.
 *
 * <p>Once per version across restarts and controller instances too: the Event is named after the
 * problem and that version ({@link ObjectWarnings}), so a controller that starts again and finds
 * the same problem has its create refused as already told. An annotated Namespace or Deployment
 * is versioned by the managedFields entry that owns the annotation ({@link AnnotationVersion}), which
 * the object's other edits and its status do not move, so a restart after them tells nothing again;
 * only an object without managedFields falls back to its resourceVersion. A SegmentationMode has
 * no status: only its edits move its resourceVersion.
 */
public final class ModeProblems {
  private static final Logger LOG = LoggerFactory.getLogger(ModeProblems.class);
  public static final String REASON = "InvalidPalisadeMode";

  private final ObjectWarnings warnings;

  /** The object a problem is told on, and the version of its setting (told once per version and problem). */
  public record Subject(ObjectReference about, String version) {}

  public ModeProblems(ObjectWarnings warnings) {
    this.warnings = warnings;
  }

  /**
   * The problems of the latest resolution: new ones told, objects no longer among them forgotten,
   * so a problem that goes away and comes back is told again.
   *
   * @param subjectOf the object a problem is about, as it was when its setting took its value, and the
   *     version of that setting
   */
  public void latest(List<ObjectProblem> problems, Function<ObjectProblem, Subject> subjectOf) {
    // one Event per object: a SegmentationMode can be both misspelt and a second one for its target
    Map<String, List<ObjectProblem>> byObject = new LinkedHashMap<>();
    for (ObjectProblem p : problems) {
      byObject.computeIfAbsent(p.where(), w -> new ArrayList<>()).add(p);
    }
    List<ObjectReference> wrong = new ArrayList<>();
    byObject.forEach((where, its) -> {
      Subject subject = subjectOf.apply(its.get(0));
      ObjectReference about = subject.about();
      String message = String.join("; ", its.stream().map(ObjectProblem::message).toList());
      wrong.add(about);
      if (warnings.warn(about, subject.version() + " " + message, message)) {
        LOG.warn("{}: {}", where, message);
      }
    });
    warnings.retainOnly(wrong);
  }
}

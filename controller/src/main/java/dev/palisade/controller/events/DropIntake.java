package dev.palisade.controller.events;

import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.model.DropEvent;
import dev.palisade.model.Identities;
import dev.palisade.model.json.DropReportJson;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The agents' drop reports ({@code POST /v1/drops}) -> what people see of them: the newest 1,000
 * for the page ({@code GET /v1/drops}), Events on both ends ({@link DropEvents}), a PolicyReport
 * per namespace ({@link PolicyReportWriter}), and a violation counted on the edge of a real drop.
 * Called on the controller's loop thread; the writers write on their own.
 */
public final class DropIntake implements AutoCloseable {
  static final int MAX_RECENT = 1000;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** What a drop is judged by, from the controller's state (loop thread). */
  public interface Graph {
    /** The vertex name of an identity: NS/KIND/NAME, or a reserved name. */
    String vertexOf(long identity);

    /** Whether the edge is rejected (by a reviewer, git or an org guardrail). */
    boolean rejected(EdgeKey edge);

    /** A connection on this edge was dropped for real. */
    void violation(EdgeKey edge);
  }

  /** The newest drops, oldest first; each node is never changed once here, so a copy may share it. */
  private final ArrayDeque<ObjectNode> recent = new ArrayDeque<>();
  private final DropEvents events;
  private final PolicyReportWriter reports;
  private long seen;

  public DropIntake(DropEvents events, PolicyReportWriter reports) {
    this.events = events;
    this.reports = reports;
  }

  /** One agent's report, already authenticated as coming from {@code report.node()}. */
  public void accept(DropReportJson.DropReport report, Graph graph) {
    for (DropEvent d : report.events()) {
      // an outside end as review names it (dns:NAME, an address) rather than the bare world
      String src = d.outside() != null && d.source() == Identities.WORLD ? d.outside() : graph.vertexOf(d.source());
      String dst = d.outside() != null && d.destination() == Identities.WORLD ? d.outside()
          : graph.vertexOf(d.destination());
      ObjectNode o = DropReportJson.toJson(d);
      o.put("node", report.node());
      o.put("source", src);
      o.put("destination", dst);
      recent.addLast(o);
      while (recent.size() > MAX_RECENT) {
        recent.removeFirst();
      }
      EdgeKey edge = new EdgeKey(src, dst, d.protocol(), d.port());
      boolean rejected = graph.rejected(edge);
      events.observe(d, src, dst, rejected);
      reports.observe(d, src, dst, rejected);
      if (!d.wouldDrop()) {
        graph.violation(edge);
      }
      seen++;
    }
  }

  /**
   * The newest drops as {@code GET /v1/drops} shows them, copied on the loop thread: at most
   * {@value #MAX_RECENT} references, so the JSON is written from it off the loop (issue 17).
   */
  public Recent recent() {
    List<ObjectNode> newestFirst = new ArrayList<>(recent.size());
    recent.descendingIterator().forEachRemaining(newestFirst::add);
    return new Recent(seen, Collections.unmodifiableList(newestFirst));
  }

  /** How many drops were reported, and the newest of them, newest first (nodes nobody changes). */
  public record Recent(long total, List<ObjectNode> newestFirst) {
    /** {@code GET /v1/drops}: the total and the newest first; pure, on any thread. */
    public String json() {
      ObjectNode root = JSON.createObjectNode();
      root.put("total", total);
      ArrayNode a = root.putArray("events");
      newestFirst.forEach(a::add);
      return JSON.writeValueAsString(root);
    }
  }

  @Override
  public void close() {
    events.close();
    reports.close();
  }
}

package dev.palisade.lab.ci;

import java.util.List;

/**
 * DIR/report.md: a table a CI can post as a pull-request comment, the same evidence the security
 * team will judge. Pure: findings in, text out.
 */
public final class MarkdownReport {
  private MarkdownReport() {}

  public static String render(List<Finding> findings, int exitCode) {
    StringBuilder sb = new StringBuilder("## Palisade connectivity review\n\n");
    long failing = findings.stream().filter(f -> f.verdict().fails()).count();
    sb.append(exitCode == 0 ? "**Pass**" : "**Fail** (exit " + exitCode + ")").append(": ")
        .append(findings.stream().filter(f -> f.observed() != null).count()).append(" edge(s) observed, ")
        .append(failing).append(" need attention.\n\n");
    sb.append("| verdict | edge | port | evidence | why it fails | who approves |\n");
    sb.append("|---|---|---|---|---|---|\n");
    for (Finding f : findings) {
      sb.append("| ").append(f.verdict().label())
          .append(" | `").append(f.edge().from()).append("` -> `").append(f.edge().to()).append('`')
          .append(" | ").append(f.edge().port()).append('/').append(f.edge().protocol())
          .append(" | ").append(cell(f.evidence()))
          .append(" | ").append(cell(f.why().isEmpty() ? "-" : f.why()))
          .append(" | ").append(cell(f.whoApproves())).append(" |\n");
    }
    if (findings.stream().anyMatch(f -> f.verdict() == Verdict.NEW)) {
      sb.append("\nNew edges are proposed in `patch.yaml` (ApprovedGraph objects): commit it to the approved-graph "
          + "files for review, or open it in the review page.\n");
    }
    return sb.toString();
  }

  /** A table cell: a pipe would end the cell, a newline the row. */
  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}

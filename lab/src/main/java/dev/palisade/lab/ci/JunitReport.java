package dev.palisade.lab.ci;

import java.util.List;

/**
 * DIR/junit.xml: one testcase per edge, a failure for each new, forbidden or dropped edge, so
 * Jenkins, GitLab and GitHub show them without plugins. Not-exercised approvals are skipped cases
 * (a warning, not a failure). Pure: findings in, XML text out.
 */
public final class JunitReport {
  private JunitReport() {}

  public static String render(List<Finding> findings) {
    long failures = findings.stream().filter(f -> f.verdict().fails()).count();
    long skipped = findings.stream().filter(f -> f.verdict() == Verdict.NOT_EXERCISED).count();
    StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    sb.append("<testsuite name=\"palisade-ci\" tests=\"").append(findings.size()).append("\" failures=\"")
        .append(failures).append("\" errors=\"0\" skipped=\"").append(skipped).append("\">\n");
    for (Finding f : findings) {
      sb.append("  <testcase classname=\"palisade.").append(esc(f.edge().approverNamespace())).append("\" name=\"")
          .append(esc(f.edge().text())).append('"');
      if (f.verdict().fails()) {
        sb.append(">\n    <failure type=\"").append(f.verdict().label()).append("\" message=\"")
            .append(esc(f.verdict().label() + ": " + f.why())).append("\">")
            .append(esc(f.evidence() + "\nwho approves: " + f.whoApproves())).append("</failure>\n  </testcase>\n");
      } else if (f.verdict() == Verdict.NOT_EXERCISED) {
        sb.append(">\n    <skipped message=\"").append(esc(f.why())).append("\"/>\n  </testcase>\n");
      } else {
        sb.append("/>\n");
      }
    }
    return sb.append("</testsuite>\n").toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}

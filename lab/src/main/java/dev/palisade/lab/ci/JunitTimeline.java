package dev.palisade.lab.ci;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * When each of the app's test cases ran, from its JUnit XML reports ({@code --tests-junit}), so
 * that a new edge's provenance names the test that was running when the edge was first seen.
 *
 * <p>What the common JUnit XML carries (Surefire, Gradle, JUnit's console launcher, pytest, Go's
 * go-junit-report): {@code <testsuite timestamp="...">} (when the suite started) with its
 * {@code <testcase classname name time="seconds">} in the order they ran, one after another; so a
 * case starts at the suite's timestamp plus the times of the cases before it. A
 * {@code testcase@timestamp}, where a tool writes one, is used instead. A timestamp without an
 * offset (Gradle, JUnit, older pytest) is read in this process's time zone, as the tests ran on
 * the same CI machine (set {@code TZ} if they did not). Parallel suites overlap; the case that
 * started last wins. Strict: a file that is not well-formed XML, or a suite with cases but no
 * timestamp to place them, is bad input naming the file (exit 3), never a silently empty timeline.
 */
public final class JunitTimeline {
  /** Flow records carry the time the agent saw the connection; a case's {@code time} leaves out its teardown. */
  static final long GRACE_MS = 2_000;
  public static final JunitTimeline EMPTY = new JunitTimeline(List.of());

  /** One test case and when it ran (epoch milliseconds, end exclusive). */
  public record TestCase(String name, long start, long end) {}

  private final List<TestCase> cases;

  JunitTimeline(List<TestCase> cases) {
    this.cases = cases.stream().sorted(Comparator.comparingLong(TestCase::start)).toList();
  }

  public List<TestCase> cases() {
    return cases;
  }

  /** The timeline of these reports; {@code zone} places timestamps without an offset. */
  public static JunitTimeline read(List<Path> files, ZoneId zone) {
    List<TestCase> all = new ArrayList<>();
    for (Path f : files) {
      Element root = parse(f);
      String tag = root.getTagName();
      if (!tag.equals("testsuites") && !tag.equals("testsuite")) {
        throw new CiInputException(f + ": not a JUnit XML report: the root element is <" + tag
            + ">, not <testsuites> or <testsuite>");
      }
      if (tag.equals("testsuite")) {
        suite(f, root, null, zone, all);
      } else {
        for (Element s : children(root, "testsuite")) {
          suite(f, s, null, zone, all);
        }
      }
    }
    return new JunitTimeline(all);
  }

  /**
   * Adds a suite's cases, starting at its timestamp (or at {@code from}, where the enclosing suite's
   * cases had got to); returns when the suite ended, by its cases' times.
   */
  private static long suite(Path f, Element s, Long from, ZoneId zone, List<TestCase> into) {
    String where = f + ": <testsuite name=\"" + s.getAttribute("name") + "\">";
    Long cursor = from; // boxed: a suite may have nothing to start from until a case brings its own timestamp
    if (s.hasAttribute("timestamp")) {
      cursor = instant(where + " timestamp", s.getAttribute("timestamp"), zone);
    }
    for (Node n = s.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (!(n instanceof Element e)) {
        continue;
      }
      if (e.getTagName().equals("testsuite")) {
        cursor = suite(f, e, cursor, zone, into);
      } else if (e.getTagName().equals("testcase")) {
        String name = (e.getAttribute("classname").isEmpty() ? "" : e.getAttribute("classname") + ".")
            + e.getAttribute("name");
        String at = f + ": <testcase name=\"" + e.getAttribute("name") + "\">";
        long start;
        if (e.hasAttribute("timestamp")) {
          start = instant(at + " timestamp", e.getAttribute("timestamp"), zone);
        } else if (cursor != null) {
          start = cursor;
        } else {
          throw new CiInputException(where + " has no timestamp, so when its test cases ran is unknown "
              + "(the report must carry testsuite@timestamp or testcase@timestamp)");
        }
        long end = start + millis(at + " time", e.getAttribute("time"));
        into.add(new TestCase(name, start, end));
        cursor = end;
      }
    }
    return cursor == null ? (from == null ? 0 : from) : cursor;
  }

  /**
   * The test case running when an edge was first seen ({@code firstSeen}, epoch ms), or the last
   * one that ended at most {@link #GRACE_MS} before; empty when none (or {@code firstSeen} is 0).
   */
  public Optional<String> runningAt(long firstSeen) {
    if (firstSeen <= 0) {
      return Optional.empty();
    }
    TestCase running = null;
    TestCase justBefore = null;
    for (TestCase c : cases) {
      if (c.start() <= firstSeen && firstSeen < Math.max(c.end(), c.start() + 1)) {
        running = c; // sorted by start: the one that started last
      } else if (c.end() <= firstSeen && firstSeen - c.end() <= GRACE_MS
          && (justBefore == null || c.end() >= justBefore.end())) {
        justBefore = c;
      }
    }
    return Optional.ofNullable(running != null ? running : justBefore).map(TestCase::name);
  }

  private static long instant(String where, String text, ZoneId zone) {
    try {
      return OffsetDateTime.parse(text).toInstant().toEpochMilli();
    } catch (DateTimeParseException withoutOffset) {
      try {
        return LocalDateTime.parse(text).atZone(zone).toInstant().toEpochMilli();
      } catch (DateTimeParseException e) {
        try {
          return Instant.parse(text).toEpochMilli();
        } catch (DateTimeParseException again) {
          throw new CiInputException(where + ": must be an ISO-8601 date and time, not '" + text + "'");
        }
      }
    }
  }

  private static long millis(String where, String seconds) {
    if (seconds.isEmpty()) {
      return 0; // some tools leave it out for a skipped case
    }
    try {
      double s = Double.parseDouble(seconds.replace(",", "")); // Surefire once wrote "1,234.5"
      if (!(s >= 0) || Double.isInfinite(s)) {
        throw new NumberFormatException();
      }
      return Math.round(s * 1000);
    } catch (NumberFormatException e) {
      throw new CiInputException(where + ": must be seconds (a number of 0 or more), not '" + seconds + "'");
    }
  }

  private static Element parse(Path f) {
    try (InputStream in = Files.newInputStream(f)) {
      DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
      // a report is data: no DTD, no external entities (XXE)
      dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      dbf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      dbf.setXIncludeAware(false);
      dbf.setExpandEntityReferences(false);
      DocumentBuilder db = dbf.newDocumentBuilder();
      db.setErrorHandler(null); // errors are thrown, not also printed to stderr
      return db.parse(in).getDocumentElement();
    } catch (SAXException e) {
      throw new CiInputException(f + ": not well-formed JUnit XML: "
          + (e instanceof org.xml.sax.SAXParseException p ? "line " + p.getLineNumber() + ": " : "") + e.getMessage());
    } catch (IOException e) {
      throw new CiInputException(f + ": cannot read: " + e.getMessage());
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML parser refused a standard feature", e);
    }
  }

  private static List<Element> children(Element parent, String tag) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        out.add(e);
      }
    }
    return out;
  }
}

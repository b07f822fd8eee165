package dev.palisade.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * Draws bench/line-rate.png from the newest "Line rate" table in RESULTS.md: new connections/s
 * against the number of rules (log scale) for Palisade's ruleset and the linear-chain control,
 * with the conntrack-only and no-firewall baselines as horizontal lines.
 *
 * <p>Usage: {@code LineRateChart RESULTS.md OUT.png}; LineRateBench calls it after each run.
 */
public final class LineRateChart {
  private static final Pattern ROW = Pattern.compile("^\\| ([a-z-]+?)(?:-(\\d+))? \\| ([0-9,]+) \\|");

  private LineRateChart() {}

  public static void main(String[] args) throws Exception {
    draw(Path.of(args[0]), Path.of(args[1]));
  }

  static void draw(Path results, Path png) throws java.io.IOException {
    System.setProperty("java.awt.headless", "true");
    List<String> lines = Files.readAllLines(results);
    int start = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("## Line rate through one node")) { // not a run of selected configurations
        start = i;
      }
    }
    if (start < 0) {
      throw new IllegalStateException("no '## Line rate' section in " + results);
    }
    Map<String, List<double[]>> series = new LinkedHashMap<>();
    Map<String, Double> baselines = new LinkedHashMap<>();
    for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
      Matcher m = ROW.matcher(lines.get(i));
      if (!m.find()) {
        continue;
      }
      if (m.group(1).equals("admin")) {
        continue; // admin-N counts cluster policies, not rules of this axis (and N = 0 has no log)
      }
      double conn = Double.parseDouble(m.group(3).replace(",", ""));
      if (m.group(2) == null) {
        baselines.put(m.group(1), conn);
      } else {
        series.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(new double[] {Double.parseDouble(m.group(2)), conn});
      }
    }
    int w = 900;
    int h = 540;
    int left = 90;
    int right = 200;
    int top = 50;
    int bottom = 70;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    double yMax = 0;
    for (List<double[]> s : series.values()) {
      for (double[] p : s) {
        yMax = Math.max(yMax, p[1]);
      }
    }
    for (double b : baselines.values()) {
      yMax = Math.max(yMax, b);
    }
    final double top2 = yMax * 1.15;
    double xMin = Math.log10(50);
    double xMax = Math.log10(200_000);
    int pw = w - left - right;
    int ph = h - top - bottom;
    java.util.function.DoubleUnaryOperator px = x -> left + (Math.log10(x) - xMin) / (xMax - xMin) * pw;
    java.util.function.DoubleUnaryOperator py = y -> top + ph - y / top2 * ph;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.setColor(new Color(0xE3E6EA));
    for (int e = 2; e <= 5; e++) {
      int x = (int) px.applyAsDouble(Math.pow(10, e));
      g.drawLine(x, top, x, top + ph);
    }
    g.setColor(Color.DARK_GRAY);
    g.drawRect(left, top, pw, ph);
    for (int e = 2; e <= 5; e++) {
      int x = (int) px.applyAsDouble(Math.pow(10, e));
      String label = String.format(Locale.ROOT, "%,d", (long) Math.pow(10, e));
      g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, top + ph + 18);
    }
    for (int k = 0; k <= 5; k++) {
      double y = top2 / 5 * k;
      int yy = (int) py.applyAsDouble(y);
      String label = String.format(Locale.ROOT, "%,.0f", y);
      g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), yy + 5);
    }
    g.drawString("allowed tuples (Palisade) / rules (linear chain), log scale", left + pw / 2 - 170, h - 25);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString("New connections/s through one node vs number of rules (median of rounds)", left, 30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    Color[] colors = {new Color(0x1A7F37), new Color(0xB42318), new Color(0x6941C6), new Color(0x175CD3)};
    int legendY = top + 10;
    int c = 0;
    for (var e : baselines.entrySet()) {
      g.setColor(e.getKey().equals("none") ? Color.GRAY : new Color(0x175CD3));
      g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 5f}, 0f));
      int yy = (int) py.applyAsDouble(e.getValue());
      g.drawLine(left, yy, left + pw, yy);
      g.drawLine(left + pw + 15, legendY, left + pw + 40, legendY);
      g.drawString(e.getKey() + " (baseline)", left + pw + 46, legendY + 5);
      legendY += 22;
    }
    for (var e : series.entrySet()) {
      Color col = colors[c++ % colors.length];
      g.setColor(col);
      g.setStroke(new BasicStroke(2.5f));
      List<double[]> pts = e.getValue();
      pts.sort((a, b) -> Double.compare(a[0], b[0]));
      for (int i = 0; i < pts.size(); i++) {
        int x = (int) px.applyAsDouble(pts.get(i)[0]);
        int y = (int) py.applyAsDouble(pts.get(i)[1]);
        g.fillOval(x - 5, y - 5, 10, 10);
        if (i > 0) {
          g.drawLine((int) px.applyAsDouble(pts.get(i - 1)[0]), (int) py.applyAsDouble(pts.get(i - 1)[1]), x, y);
        }
      }
      g.drawLine(left + pw + 15, legendY, left + pw + 40, legendY);
      g.drawString(e.getKey(), left + pw + 46, legendY + 5);
      legendY += 22;
    }
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }
}

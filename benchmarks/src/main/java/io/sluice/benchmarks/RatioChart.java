package io.sluice.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A bar chart of how many times faster Sluice is than each contender (X time / Sluice time, log
 * scale), per workload, with the goal line against Flink at 5x.
 */
final class RatioChart {

  private RatioChart() {}

  static void write(Report report, Path file) throws Exception {
    System.setProperty("java.awt.headless", "true");
    List<String> workloads = new ArrayList<>(report.workloads());
    String[] series = {"vs Flink", "vs Direct (reduced size)", "vs plain Java"};
    Color[] colors = {new Color(0x4C72B0), new Color(0xDD8452), new Color(0x55A868)};
    int width = 220 * workloads.size() + 160;
    int height = 520;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    int left = 80;
    int top = 60;
    int bottom = height - 80;
    double minLog = Math.log10(0.1);
    double maxLog = Math.log10(1000);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    g.drawString("How many times faster Sluice is (median wall time of X / Sluice, log scale)", left, 30);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (double v : new double[] {0.1, 1, 5, 10, 100, 1000}) {
      int y = y(Math.log10(v), minLog, maxLog, top, bottom);
      g.setColor(v == 5 ? new Color(0xC44E52) : new Color(0xDDDDDD));
      g.setStroke(v == 5 ? new BasicStroke(2, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1, new float[] {6, 4}, 0)
          : new BasicStroke(1));
      g.drawLine(left, y, width - 20, y);
      g.setColor(Color.DARK_GRAY);
      g.drawString((v < 1 ? "0.1" : String.format(Locale.ROOT, "%.0f", v)) + "x", 30, y + 4);
    }
    int group = 0;
    for (String w : workloads) {
      double[] values = {
          inverse(Report.ratio(report.find(w, Runner.SLUICE, false), report.find(w, Runner.FLINK, false))),
          inverse(Report.ratio(report.find(w, Runner.SLUICE, true), report.find(w, Runner.DIRECT, true))),
          inverse(Report.ratio(report.find(w, Runner.SLUICE, false), report.find(w, Runner.PLAIN_JAVA, false)))};
      int x0 = left + 20 + group * 220;
      for (int s = 0; s < values.length; s++) {
        int x = x0 + s * 60;
        if (Double.isNaN(values[s])) {
          g.setColor(Color.GRAY);
          g.drawString("n/a", x + 10, bottom - 5);
          continue;
        }
        int y = y(Math.max(minLog, Math.min(maxLog, Math.log10(values[s]))), minLog, maxLog, top, bottom);
        int base = y(0, minLog, maxLog, top, bottom);
        g.setColor(colors[s]);
        g.fillRect(x, Math.min(y, base), 50, Math.abs(base - y));
        g.setColor(Color.BLACK);
        g.drawString(String.format(Locale.ROOT, "%.1fx", values[s]), x + 5, Math.min(y, base) - 4);
      }
      g.drawString(w, x0 + 40, bottom + 20);
      group++;
    }
    for (int s = 0; s < series.length; s++) {
      g.setColor(colors[s]);
      g.fillRect(left + s * 230, bottom + 40, 14, 14);
      g.setColor(Color.BLACK);
      g.drawString(series[s], left + s * 230 + 20, bottom + 52);
    }
    g.setColor(new Color(0xC44E52));
    g.drawString("dashed: goal vs Flink (5x)", left + 3 * 230, bottom + 52);
    g.dispose();
    ImageIO.write(image, "png", file.toFile());
  }

  private static double inverse(double ratio) {
    return Double.isNaN(ratio) ? Double.NaN : 1 / ratio;
  }

  private static int y(double log, double minLog, double maxLog, int top, int bottom) {
    return (int) (bottom - (log - minLog) / (maxLog - minLog) * (bottom - top));
  }
}

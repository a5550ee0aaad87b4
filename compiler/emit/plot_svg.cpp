// plot_svg.cpp - writing the --plot picture as SVG text: layout, round tick
// values, and the curves as polylines, broken at non-finite samples and at
// jumps, clipped to the plot area.
#include "emit/plot_svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "support/version.h"

namespace gradc {

namespace {

// Layout, in pixels.
constexpr double kWidth = 800;
constexpr double kRight = 24;         // right of the plot area
constexpr double kTitleTop = 26;      // baseline of the first title line
constexpr double kTitleLine = 18;     // from one title line to the next
constexpr double kLegendRow = 26;     // above each plot area
constexpr double kPlotHeight = 240;
constexpr double kBelow = 44;         // tick labels and the axis name
constexpr double kPanelGap = 14;
constexpr double kCharWidth = 6.6;    // a digit of the 11-pixel tick font, generously
constexpr double kLabelWidth = 7.2;   // a character of the 12-pixel legend font
/// A jump across a located switch: more than this fraction of the y range
/// (a continuous curve moves by its slope times kPlotSwitchWidth there).
constexpr double kJump = 1e-4;
/// Beyond this (1e300) values are as good as infinite for the y range.
constexpr double kHuge = 1e300;

constexpr const char* kStyle =
    "<style>\n"
    "text{fill:#222}\n"
    ".title{font-size:15px;font-weight:bold}\n"
    ".subtitle{fill:#444}\n"
    ".grid{fill:none;stroke:#e6e6e6;stroke-width:1}\n"
    ".zero{fill:none;stroke:#aaa;stroke-width:1}\n"
    ".frame{fill:none;stroke:#777;stroke-width:1}\n"
    ".tick{fill:none;stroke:#777;stroke-width:1}\n"
    ".xtick,.ytick{font-size:11px;fill:#444}\n"
    ".note{fill:#888}\n"
    ".value{fill:none;stroke:#1f77b4;stroke-width:2.5;stroke-linejoin:round;stroke-linecap:round}\n"
    ".deriv{fill:none;stroke:#ff7f0e;stroke-width:1.5;stroke-linejoin:round;stroke-linecap:round}\n"
    "circle.value{fill:#1f77b4;stroke:none}\n"
    "circle.deriv{fill:#ff7f0e;stroke:none}\n"
    "</style>\n";

// A coordinate to a hundredth of a pixel, without trailing zeros.
std::string num(double v) {
  std::string s = fmt::format("{:.2f}", v);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

// Characters (not bytes) of a label, for its width.
size_t chars(const std::string& s) {
  return size_t(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string tick_label(double v, bool scientific, int digits) {
  if (v == 0) return "0";
  std::string s;
  if (scientific) {  // 1.5e6, not 1.50e+06
    std::string e = fmt::format("{:.{}e}", v, digits);
    size_t at = e.find('e');
    std::string mantissa = e.substr(0, at);
    if (mantissa.find('.') != std::string::npos) {
      while (mantissa.back() == '0') mantissa.pop_back();
      if (mantissa.back() == '.') mantissa.pop_back();
    }
    s = mantissa + "e" + fmt::format("{}", std::stoi(e.substr(at + 1)));
  } else {
    s = fmt::format("{:.{}f}", v, digits);
  }
  std::string out;  // minus signs, not hyphens
  for (char c : s) out += c == '-' ? std::string("\u2212") : std::string(1, c);
  return out;
}

// The visible part [t0, t1] of the segment from y0 to y1 (t from 0 to 1)
// within [lo, hi], and the y at its ends (always within [lo, hi]); false if
// none of it is visible.
bool visible(double y0, double y1, double lo, double hi, double& t0, double& t1, double& v0,
             double& v1) {
  if ((y0 > hi && y1 > hi) || (y0 < lo && y1 < lo)) return false;
  // Where the segment crosses level c, in halves so that y0 - y1 cannot
  // overflow; rounding may put it a hair outside [0, 1].
  auto cross = [&](double c) { return std::clamp((y0 / 2 - c / 2) / (y0 / 2 - y1 / 2), 0.0, 1.0); };
  t0 = 0, t1 = 1, v0 = y0, v1 = y1;
  if (y0 > hi || y0 < lo) v0 = y0 > hi ? hi : lo, t0 = cross(v0);
  if (y1 > hi || y1 < lo) v1 = y1 > hi ? hi : lo, t1 = cross(v1);
  t0 = std::min(t0, t1);
  return true;
}

/// Which neighbouring samples the line of `y` joins (join[i]: samples i and
/// i + 1): both finite, and no jump between them. `span` is the y range.
std::vector<bool> joins(const std::vector<double>& y, const std::vector<PlotGap>& gaps,
                        double span) {
  const size_t n = gaps.size();
  auto finite = [&](size_t i) { return std::isfinite(y[i]) && std::isfinite(y[i + 1]); };
  auto step = [&](size_t i) { return i < n && finite(i) ? std::fabs(y[i + 1] - y[i]) : 0.0; };
  std::vector<bool> join(n, false);
  for (size_t i = 0; i < n; ++i) {
    if (!finite(i)) continue;
    double d = std::fabs(y[i + 1] - y[i]);  // inf if it overflows: a jump
    switch (gaps[i]) {
      case PlotGap::Smooth: join[i] = true; break;
      case PlotGap::Switch: join[i] = d <= kJump * span; break;
      case PlotGap::Unlocated:  // far steeper than either neighbouring step
        join[i] = !(d > 1e-3 * span && d > 4 * std::max(i ? step(i - 1) : 0.0, step(i + 1)));
        break;
    }
  }
  return join;
}

/// One panel's axes: the y range and the ticks of both axes.
struct Axes {
  double ylo, yhi;
  PlotTicks xticks, yticks;
  bool any_value, any_deriv;  ///< some sample of each curve is finite
  double left, top, width;    ///< the plot area (height kPlotHeight)
  double x(double v, double lo, double hi) const { return left + (v - lo) / (hi - lo) * width; }
  double y(double v) const { return top + (yhi - v) / (yhi - ylo) * kPlotHeight; }
};

// The polylines (and lone points, as dots) of one curve.
void curve(std::string& svg, const char* cls, const PlotPicture& p, const std::vector<double>& y,
           const Axes& a) {
  const std::vector<double>& xs = p.samples->x;
  std::vector<bool> join = joins(y, p.samples->gaps, a.yhi - a.ylo);
  std::vector<std::pair<double, double>> pts;  // pixels
  bool lone = false;
  auto flush = [&] {
    if (pts.size() >= 2) {
      svg += fmt::format("<polyline class=\"{}\" points=\"", cls);
      for (size_t i = 0; i < pts.size(); ++i)
        svg += fmt::format("{}{},{}", i ? " " : "", num(pts[i].first), num(pts[i].second));
      svg += "\"/>\n";
    } else if (pts.size() == 1 && lone) {
      svg += fmt::format("<circle class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{}\"/>\n", cls,
                         num(pts[0].first), num(pts[0].second),
                         std::string_view(cls) == "value" ? 3.5 : 2.5);
    }
    pts.clear();
  };
  for (size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) {
      flush();
      continue;
    }
    if (i == 0 || !join[i - 1]) {  // a new run starts here
      flush();
      if (y[i] >= a.ylo && y[i] <= a.yhi) pts.push_back({a.x(xs[i], p.lo, p.hi), a.y(y[i])});
      lone = true;
      continue;
    }
    lone = false;
    double t0, t1, v0, v1;
    if (!visible(y[i - 1], y[i], a.ylo, a.yhi, t0, t1, v0, v1)) {
      flush();
      continue;
    }
    double dx = xs[i] - xs[i - 1];
    if (t0 > 0 || pts.empty()) {  // entering the plot area
      flush();
      pts.push_back({a.x(xs[i - 1] + t0 * dx, p.lo, p.hi), a.y(v0)});
    }
    pts.push_back({a.x(t1 == 1 ? xs[i] : xs[i - 1] + t1 * dx, p.lo, p.hi), a.y(v1)});
    if (t1 < 1) flush();  // leaving it
  }
  flush();
}

void grid_and_ticks(std::string& svg, const PlotPicture& p, const Axes& a) {
  const double right = a.left + a.width, bottom = a.top + kPlotHeight;
  std::string grid, ticks;
  for (double v : a.xticks.at) {
    std::string x = num(a.x(v, p.lo, p.hi));
    grid += fmt::format("M{} {}V{}", x, num(a.top), num(bottom));
    ticks += fmt::format("M{} {}v5", x, num(bottom));
  }
  for (double v : a.yticks.at) {
    std::string y = num(a.y(v));
    grid += fmt::format("M{} {}H{}", num(a.left), y, num(right));
    ticks += fmt::format("M{} {}h-5", num(a.left), y);
  }
  svg += fmt::format("<path class=\"grid\" d=\"{}\"/>\n", grid);
  std::string zero;  // the axes through the origin, where they are in view
  if (a.ylo < 0 && a.yhi > 0) zero += fmt::format("M{} {}H{}", num(a.left), num(a.y(0)), num(right));
  if (p.lo < 0 && p.hi > 0) zero += fmt::format("M{} {}V{}", num(a.x(0, p.lo, p.hi)), num(a.top), num(bottom));
  if (!zero.empty()) svg += fmt::format("<path class=\"zero\" d=\"{}\"/>\n", zero);
  svg += fmt::format("<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>\n",
                     num(a.left), num(a.top), num(a.width), num(kPlotHeight));
  svg += fmt::format("<path class=\"tick\" d=\"{}\"/>\n", ticks);
  for (size_t i = 0; i < a.xticks.at.size(); ++i)
    svg += fmt::format("<text class=\"xtick\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                       num(a.x(a.xticks.at[i], p.lo, p.hi)), num(bottom + 18), a.xticks.labels[i]);
  for (size_t i = 0; i < a.yticks.at.size(); ++i)
    svg += fmt::format("<text class=\"ytick\" x=\"{}\" y=\"{}\" text-anchor=\"end\" "
                       "dominant-baseline=\"central\">{}</text>\n",
                       num(a.left - 8), num(a.y(a.yticks.at[i])), a.yticks.labels[i]);
  svg += fmt::format("<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                     num(a.left + a.width / 2), num(bottom + 36), xml_text(p.var));
}

void legend(std::string& svg, const std::pair<std::string, std::string>& labels, const Axes& a) {
  double y = a.top - 12, x = a.left;
  auto entry = [&](const char* cls, std::string label, bool any) {
    if (!any) label += " (no finite value here)";
    svg += fmt::format("<path class=\"{}\" d=\"M{} {}h24\"/>\n", cls, num(x), num(y));
    svg += fmt::format("<text class=\"legend\" x=\"{}\" y=\"{}\">{}</text>\n", num(x + 30),
                       num(y + 4), xml_text(label));
    x += 30 + kLabelWidth * double(chars(label)) + 28;
  };
  entry("value", labels.first, a.any_value);
  entry("deriv", labels.second, a.any_deriv);
}

}  // namespace

std::pair<double, double> plot_y_range(std::vector<double> finite) {
  if (finite.empty()) return {-1, 1};
  for (double& v : finite) v = std::clamp(v, -kHuge, kHuge);
  std::sort(finite.begin(), finite.end());
  double lo = finite.front(), hi = finite.back();
  const size_t n = finite.size(), tail = n / 50;  // 2% at each end
  double qa = finite[tail], qb = finite[n - 1 - tail];
  if (qb > qa && hi - lo > 10 * (qb - qa)) {  // a few samples far out: a pole
    lo = std::max(lo, qa - (qb - qa));
    hi = std::min(hi, qb + (qb - qa));
  }
  double big = std::max(std::fabs(lo), std::fabs(hi));
  if (hi - lo <= 1e-10 * big || hi == lo) {  // constant, up to rounding
    double c = lo / 2 + hi / 2, d = c != 0 ? std::fabs(c) / 10 : 1;
    return {c - d, c + d};
  }
  double margin = (hi - lo) / 20;
  return {lo - margin, hi + margin};
}

PlotTicks plot_ticks(double lo, double hi, int target) {
  PlotTicks t;
  double raw = (hi - lo) / target;
  if (!(raw > 0) || !std::isfinite(raw)) return t;
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double f = raw / mag;
  double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  double k0 = std::ceil(lo / step - 1e-9), k1 = std::floor(hi / step + 1e-9);
  if (!(k1 >= k0 && k1 - k0 <= 4.0 * target)) return t;
  int step_exp = int(std::floor(std::log10(step) + 1e-9));
  double big = std::max(std::fabs(k0), std::fabs(k1)) * step;
  bool scientific = big >= 1e6 || big < 1e-4;
  int digits = scientific ? std::max(0, int(std::floor(std::log10(big))) - step_exp)
                          : std::max(0, -step_exp);
  for (double k = k0; k <= k1; ++k) {
    double v = k == 0 ? 0.0 : k * step;
    t.at.push_back(v);
    t.labels.push_back(tick_label(v, scientific, digits));
  }
  return t;
}

std::string xml_text(std::string_view text) {
  std::string out;
  const std::string_view kReplacement = "\xEF\xBF\xBD";
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c == '&') out += "&amp;";
      else if (c == '<') out += "&lt;";
      else if (c == '>') out += "&gt;";
      else if (c == '"') out += "&quot;";
      else if (c == '\'') out += "&apos;";
      else if (c < 0x20 || c == 0x7F) out += kReplacement;  // not allowed, or not wanted, in XML
      else out += char(c);
      ++i;
      continue;
    }
    // A UTF-8 sequence: its length from the lead byte, then its code point,
    // which XML 1.0 must allow (no surrogates, overlong forms, U+FFFE/FFFF).
    size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    uint32_t cp = n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    bool ok = n > 0 && i + n <= text.size();
    for (size_t k = 1; ok && k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(text[i + k]);
      ok = (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    ok = ok && (n != 3 || (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF) && cp < 0xFFFE)) &&
         (n != 4 || (cp >= 0x10000 && cp <= 0x10FFFF));
    if (ok) {
      out += text.substr(i, n);
      i += n;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

std::string plot_svg(const PlotPicture& p) {
  const PlotSamples& s = *p.samples;
  const size_t panels = p.labels.size();
  // Every panel's axes first: the longest y tick label sets the left margin.
  std::vector<Axes> axes(panels);
  size_t longest = 1;
  for (size_t k = 0; k < panels; ++k) {
    Axes& a = axes[k];
    std::vector<double> finite;
    for (double v : s.values[k]) if (std::isfinite(v)) finite.push_back(v);
    a.any_value = !finite.empty();
    size_t values = finite.size();
    for (double v : s.derivs[k]) if (std::isfinite(v)) finite.push_back(v);
    a.any_deriv = finite.size() > values;
    std::tie(a.ylo, a.yhi) = plot_y_range(std::move(finite));
    a.yticks = plot_ticks(a.ylo, a.yhi, 5);
    for (const std::string& l : a.yticks.labels) longest = std::max(longest, chars(l));
  }
  const double left = std::max(56.0, 20 + kCharWidth * double(longest));
  const double panel_height = kLegendRow + kPlotHeight + kBelow + kPanelGap;
  const double first_top = kTitleTop + kTitleLine * double(p.title.size()) + 2;
  const double height = first_top + panel_height * double(panels);
  PlotTicks xticks = plot_ticks(p.lo, p.hi, 8);

  std::string title;
  // A line that ends in ',' was wrapped inside a list: it goes on with a space.
  for (const std::string& line : p.title)
    title += (title.empty() ? "" : title.back() == ',' ? " " : "; ") + line;
  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" "
      "font-size=\"12\">\n<title>{2}</title>\n<desc>made by gradc {3}</desc>\n{4}"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      num(kWidth), num(height), xml_text(title), kVersion, kStyle);
  for (size_t i = 0; i < p.title.size(); ++i)
    svg += fmt::format("<text class=\"{}\" x=\"20\" y=\"{}\">{}</text>\n",
                       i ? "subtitle" : "title", num(kTitleTop + kTitleLine * double(i)),
                       xml_text(p.title[i]));
  for (size_t k = 0; k < panels; ++k) {
    Axes& a = axes[k];
    a.xticks = xticks;
    a.left = left;
    a.width = kWidth - kRight - left;
    a.top = first_top + panel_height * double(k) + kLegendRow;
    svg += fmt::format("<g class=\"panel\" id=\"panel-{}\">\n", k);
    grid_and_ticks(svg, p, a);
    // The derivative's thinner line over the value's: both show where they meet.
    curve(svg, "value", p, s.values[k], a);
    curve(svg, "deriv", p, s.derivs[k], a);
    legend(svg, p.labels[k], a);
    if (!a.any_value && !a.any_deriv)
      svg += fmt::format("<text class=\"note\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">no finite "
                         "values over this range</text>\n",
                         num(a.left + a.width / 2), num(a.top + kPlotHeight / 2));
    svg += "</g>\n";
  }
  return svg + "</svg>\n";
}

}  // namespace gradc

// test_plot.cpp - the pieces of --plot: round tick values and their labels,
// the y range, XML text, and the samples (every switch of a piecewise
// operation located, values as the interpreter computes them), and the SVG's
// polylines broken at jumps only. tests/plot/check_plot.py reads whole
// pictures back through their axes.
#include <regex>

#include "emit/plot_sample.h"
#include "emit/plot_svg.h"
#include "unit_support.h"

using namespace gradc;

namespace {

// Samples of output 0 and its derivative by input 0 over [lo, hi], the
// other inputs at `point`.
PlotSamples samples(const Compiled& c, double lo, double hi, std::vector<double> point = {}) {
  PlotSampling s;
  s.values = {c.outputs[0]};
  s.derivs = {c.jacobian[0]};
  point.insert(point.begin(), 0.0);
  s.point = point;
  s.var = 0;
  s.lo = lo;
  s.hi = hi;
  return sample_plot(c.prog.graph, s);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("ticks: round values, labels with as many decimals as the step") {
  PlotTicks t = plot_ticks(-3, 3, 8);
  CHECK(t.at == std::vector<double>{-3, -2, -1, 0, 1, 2, 3});
  CHECK(t.labels == std::vector<std::string>{"\u22123", "\u22122", "\u22121", "0", "1", "2", "3"});
  t = plot_ticks(-0.05, 1.05, 5);
  CHECK(t.labels == std::vector<std::string>{"0", "0.2", "0.4", "0.6", "0.8", "1.0"});
  CHECK(t.at[3] == doctest::Approx(0.6));
  t = plot_ticks(0, 3e6, 5);  // large: 1.5e6
  CHECK(t.labels == std::vector<std::string>{"0", "5e5", "1e6", "1.5e6", "2e6", "2.5e6", "3e6"});
  t = plot_ticks(-1e-5, 0, 4);  // small
  CHECK(t.labels.front() == "\u22121e\u22125");
  CHECK(t.labels.back() == "0");
  t = plot_ticks(1000, 1000.001, 5);  // narrow: enough decimals to tell them apart
  REQUIRE(t.labels.size() >= 4);
  CHECK(t.labels[1] == "1000.0002");
  for (double lo : {-1e300, -7.0, 1e-300}) {  // any range: a few ticks, inside it
    double hi = lo + std::fabs(lo) * 0.5;
    t = plot_ticks(lo, hi, 5);
    CHECK(t.at.size() >= 2);
    CHECK(t.at.size() <= 11);
    for (double v : t.at) CHECK((v >= lo && v <= hi));
  }
}

TEST_CASE("y range: every finite sample with a margin, unless a pole would squash the rest") {
  auto [lo, hi] = plot_y_range({0, 1, 0.5});
  CHECK(lo == doctest::Approx(-0.05));
  CHECK(hi == doctest::Approx(1.05));
  std::tie(lo, hi) = plot_y_range({2, 2, 2});  // constant
  CHECK(lo == doctest::Approx(1.8));
  CHECK(hi == doctest::Approx(2.2));
  std::tie(lo, hi) = plot_y_range({1 + 1e-15, 1, 1});  // constant up to rounding
  CHECK(lo == doctest::Approx(0.9));
  std::tie(lo, hi) = plot_y_range({});
  CHECK((lo == -1 && hi == 1));
  std::vector<double> pole{1e9, 1e8};  // beside a pole, as bisection finds it
  for (int i = 0; i < 100; ++i) pole.push_back(1 + 0.09 * i);
  std::tie(lo, hi) = plot_y_range(pole);
  CHECK(hi < 25);   // the two far out are left out...
  CHECK(hi > 10);   // ...not the body
  CHECK(lo < 1);
  std::tie(lo, hi) = plot_y_range({-1e308, 1e308});  // no overflow
  CHECK(std::isfinite(hi - lo));
}

TEST_CASE("xml_text: escapes, and only characters XML allows") {
  CHECK(xml_text("a<b & 'c' > \"d\"") == "a&lt;b &amp; &apos;c&apos; &gt; &quot;d&quot;");
  CHECK(xml_text("caf\xC3\xA9 \xE2\x88\x92 \xF0\x9F\x98\x80") == "caf\xC3\xA9 \xE2\x88\x92 \xF0\x9F\x98\x80");
  const std::string bad = "\xEF\xBF\xBD";
  CHECK(xml_text("a\x01z") == "a" + bad + "z");               // a control character
  CHECK(xml_text("\xFFx") == bad + "x");                      // not UTF-8
  CHECK(xml_text("\xC3") == bad);                             // cut short
  CHECK(xml_text("\xC0\xAF") == bad + bad);                   // overlong
  CHECK(xml_text("\xED\xA0\x80") == bad + bad + bad);         // a surrogate
  CHECK(xml_text("\xEF\xBF\xBE").find("\xEF\xBF\xBE") == std::string::npos);  // U+FFFE
}

TEST_CASE("samples: the grid, and each switch located to a billionth of the range") {
  Compiled c = unit::compile_ok("input x\nw = relu(x - 0.3137) + abs(x + 0.7071)");
  PlotSamples s = samples(c, -1, 1);
  REQUIRE(s.x.size() >= size_t(kPlotGridPoints));
  REQUIRE(s.gaps.size() == s.x.size() - 1);
  CHECK(s.x.front() == -1);
  CHECK(s.x.back() == 1);
  CHECK(s.unlocated == 0);
  std::vector<double> switches;
  for (size_t i = 0; i + 1 < s.x.size(); ++i) {
    CHECK(s.x[i] < s.x[i + 1]);
    if (s.gaps[i] != PlotGap::Switch) continue;
    CHECK(s.x[i + 1] - s.x[i] <= 2 * kPlotSwitchWidth);
    switches.push_back(s.x[i]);
    // The derivative jumps across it (abs: by 2, relu: by 1); the value does not.
    CHECK(std::fabs(s.derivs[0][i + 1] - s.derivs[0][i]) >= 1);
    CHECK(std::fabs(s.values[0][i + 1] - s.values[0][i]) < 1e-8);
  }
  REQUIRE(switches.size() == 2);
  CHECK(switches[0] == doctest::Approx(-0.7071).epsilon(1e-8));
  CHECK(switches[1] == doctest::Approx(0.3137).epsilon(1e-8));
  // Every sample is what the reference interpreter computes there.
  for (size_t i = 0; i < s.x.size(); i += 7) {
    std::vector<double> v = evaluate(c.prog.graph, {s.x[i]});
    CHECK(s.values[0][i] == v[c.outputs[0]]);
    CHECK(s.derivs[0][i] == v[c.jacobian[0]]);
  }
}

TEST_CASE("samples: poles and domain edges are switches too; too many are left unlocated") {
  Compiled c = unit::compile_ok("input x\nw = 1/x + sqrt(x + 0.5555)");
  PlotSamples s = samples(c, -1, 1);
  int located = 0;
  for (size_t i = 0; i + 1 < s.x.size(); ++i)
    if (s.gaps[i] == PlotGap::Switch) {
      ++located;  // sqrt's domain at -0.5555, and each side of the grid point 0 (1/0 = inf)
      CHECK((std::fabs(s.x[i] + 0.5555) < 1e-8 || std::fabs(s.x[i + 1]) < 1e-8));
    }
  CHECK(located == 3);  // -0.5555; 0 from both sides (1/0 = inf is not finite)
  Compiled steps = unit::compile_ok("input x\nw = floor(1000*x)");
  s = samples(steps, 0, 10);  // 10,000 steps of floor: over the bisection budget
  CHECK(s.unlocated > 0);
  CHECK(s.x.size() < size_t(kPlotGridPoints) + 2 * size_t(kPlotBisectionBudget));
}

TEST_CASE("plot_svg: lines break at jumps and non-finite values only") {
  Compiled c = unit::compile_ok("input x, a\nw = relu(x - a) + log(x + 2)");
  PlotSamples s = samples(c, -3, 3, {0.5});
  PlotPicture p;
  p.title = {"t.expr", "w & <w>"};
  p.var = "x";
  p.lo = -3;
  p.hi = 3;
  p.samples = &s;
  p.labels = {{"w", "dw/dx"}};
  std::string svg = plot_svg(p);
  CHECK(svg.find("w &amp; &lt;w&gt;") != std::string::npos);
  // The value: one line from x = -2 (log's domain) on, with a corner at 0.5;
  // the derivative 1/(x + 2) + [x > 0.5]: one line left of -2 (where it is
  // finite, though log is not), two broken at 0.5.
  CHECK(count(svg, "<polyline class=\"value\"") == 1);
  CHECK(count(svg, "<polyline class=\"deriv\"") == 3);
  CHECK(count(svg, "<circle") == 0);
  // Every coordinate is a number inside the 800-pixel-wide picture.
  std::regex points(R"(points="([^"]*)\")"), pair(R"(^-?[0-9]+(\.[0-9]+)?,-?[0-9]+(\.[0-9]+)?$)");
  size_t pairs = 0;
  for (std::sregex_iterator it(svg.begin(), svg.end(), points), end; it != end; ++it) {
    std::istringstream in((*it)[1].str());
    for (std::string xy; in >> xy; ++pairs) {
      REQUIRE(std::regex_match(xy, pair));
      double x = std::stod(xy), y = std::stod(xy.substr(xy.find(',') + 1));
      CHECK((x >= 0 && x <= 800));
      CHECK((y >= 0 && y <= 2000));
    }
  }
  CHECK(pairs > 800);
}

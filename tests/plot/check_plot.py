#!/usr/bin/env python3
"""check_plot.py GRADC TMPDIR - the pictures of --plot, read back.

For each case, gradc writes an SVG with --plot; this script parses it as XML
(so it must be well-formed), reads each panel's axes from its tick labels
(the labels must be the values at the tick positions: the axes are fitted to
them and every tick must sit on the fitted line), maps every vertex of every
polyline and dot back into data coordinates, and compares it with the
reference interpreter's value or derivative at that x (gradc --interp
--eval=@points.json), to plotting precision: the vertex must lie within 0.02
pixels of the curve over the 0.006 pixels of x that rounding the coordinates
to 0.01 pixels allows. Then the case's own checks: kinks drawn as corners
(a vertex at the kink), jumps of the derivative drawn as breaks (no segment
across them), no vertex where the program is not finite.
"""
import json
import os
import subprocess
import sys
import xml.dom.minidom

MINUS = '\u2212'
failures = []


def fail(case, message):
    failures.append(f'{case}: {message}')
    print(f'FAIL {case}: {message}')


def number(label):
    return float(label.replace(MINUS, '-'))


def points(attr):
    return [tuple(float(c) for c in p.split(',')) for p in attr.split()]


class Panel:
    """One panel: its axes (fitted to its tick labels) and its curves."""

    def __init__(self, case, g):
        self.case = case
        rect = [r for r in g.getElementsByTagName('rect') if r.getAttribute('class') == 'frame'][0]
        self.top = float(rect.getAttribute('y'))
        self.bottom = self.top + float(rect.getAttribute('height'))
        texts = g.getElementsByTagName('text')
        xt = [(float(t.getAttribute('x')), number(t.firstChild.data)) for t in texts
              if t.getAttribute('class') == 'xtick']
        yt = [(float(t.getAttribute('y')), number(t.firstChild.data)) for t in texts
              if t.getAttribute('class') == 'ytick']
        legend = [t.firstChild.data for t in texts if t.getAttribute('class') == 'legend']
        self.labels = legend
        if len(xt) < 2 or len(yt) < 2:
            fail(case, f'panel {legend}: fewer than two ticks on an axis ({len(xt)}, {len(yt)})')
        self.x_px, self.x_scale = self.fit(xt, 'x')
        self.y_px, self.y_scale = self.fit(yt, 'y')
        self.lines = {'value': [], 'deriv': []}
        self.dots = {'value': [], 'deriv': []}
        for p in g.getElementsByTagName('polyline'):
            self.lines[p.getAttribute('class')].append(points(p.getAttribute('points')))
        for c in g.getElementsByTagName('circle'):
            self.dots[c.getAttribute('class')].append(
                (float(c.getAttribute('cx')), float(c.getAttribute('cy'))))

    def fit(self, ticks, axis):
        """pixel = origin + scale * value, through the outermost ticks; every tick on it."""
        (p0, v0), (p1, v1) = ticks[0], ticks[-1]
        scale = (p1 - p0) / (v1 - v0)
        origin = p0 - scale * v0
        for p, v in ticks:
            if abs(origin + scale * v - p) > 0.02:
                fail(self.case, f'{axis} tick {v} at {p}, not at {origin + scale * v} as its neighbours say')
        return origin, scale

    def x(self, px):
        return (px - self.x_px) / self.x_scale

    def px_y(self, y):
        return self.y_px + self.y_scale * y

    def y(self, py):
        return (py - self.y_px) / self.y_scale

    def on_edge(self, py):  # a vertex where a line was clipped at the plot's edge
        return abs(py - self.top) < 0.011 or abs(py - self.bottom) < 0.011

    def vertices(self, kind):
        out = [v for line in self.lines[kind] for v in line]
        return out + self.dots[kind]


def flatten(v):
    if isinstance(v, list):
        return [e for item in v for e in flatten(item)]
    return [float(v)]


def evaluate(gradc, tmp, program, inputs, var, xs):
    """outputs[k] and derivatives[k] (d output scalar k / d var) at every x, by the interpreter."""
    name, index = (var.split('[')[0], int(var.split('[')[1][:-1])) if '[' in var else (var, None)
    pts = []
    for x in xs:
        p = dict(inputs)
        if index is None:
            p[name] = x
        else:
            p[name] = list(p[name])
            p[name][index] = x
        pts.append(p)
    path = os.path.join(tmp, 'points.json')
    with open(path, 'w') as f:
        json.dump(pts, f)
    r = subprocess.run([gradc, program, '--interp', f'--wrt={name}', f'--eval=@{path}'],
                       capture_output=True, text=True, check=True)
    results = []
    for res in json.loads(r.stdout):
        values, derivs = [], []
        for out, val in res['outputs'].items():
            flat = flatten(val)
            d = flatten(res['derivatives'][out][name])
            per = len(d) // len(flat)
            values += flat
            derivs += [d[k * per + (index or 0)] for k in range(len(flat))]
        results.append((values, derivs))
    return results


def run_case(gradc, tmp, case, source, var, lo, hi, inputs):
    """Plot `source` over var = lo..hi; check every vertex; return the panels."""
    program = os.path.join(tmp, case + '.expr')
    svg = os.path.join(tmp, case + '.svg')
    with open(program, 'w') as f:
        f.write(source)
    args = [gradc, program, '--plot', f'{var}={lo}:{hi}', '-o', svg]
    if inputs:
        args.append('--eval=' + ','.join(f'{k}={json.dumps(v).replace(" ", "")}' for k, v in inputs.items()))
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        fail(case, f'gradc exited {r.returncode}: {r.stderr}')
        return []
    doc = xml.dom.minidom.parse(svg)  # raises if it is not well-formed XML
    root = doc.documentElement
    if root.tagName != 'svg' or root.getAttribute('width') != '800':
        fail(case, f'root element {root.tagName} width {root.getAttribute("width")}')
    panels = [Panel(case, g) for g in root.getElementsByTagName('g') if g.getAttribute('class') == 'panel']
    # Every vertex against the interpreter, at its x and the x a rounding away.
    wanted = []
    for k, panel in enumerate(panels):
        for kind in ('value', 'deriv'):
            for px, py in panel.vertices(kind):
                if panel.on_edge(py):
                    continue
                if not panel.x(0.0) - 1e-9 <= panel.x(px) <= panel.x(800.0):
                    fail(case, f'vertex at {px} is outside the plot')
                wanted.append((k, kind, px, py))
    if not wanted:
        fail(case, 'no vertices')
        return panels
    xs = []
    for k, kind, px, py in wanted:
        panel = panels[k]
        xs += [panel.x(px - 0.006), panel.x(px), panel.x(px + 0.006)]
    xs = [min(max(x, lo), hi) for x in xs]
    results = evaluate(gradc, tmp, program, inputs, var, xs)
    bad = 0
    for i, (k, kind, px, py) in enumerate(wanted):
        panel = panels[k]
        ys = [results[3 * i + j][0 if kind == 'value' else 1][k] for j in range(3)]
        pys = [panel.px_y(y) for y in ys if y == y]  # NaN beside a domain's edge: no curve
        if not pys or not (min(pys) - 0.02 <= py <= max(pys) + 0.02):
            bad += 1
            if bad <= 5:
                fail(case, f'panel {k} {kind} vertex ({px}, {py}) at x = {panel.x(px)}: '
                           f'the interpreter gives {ys[1]}, at pixel {pys[1]}')
    print(f'{case}: {len(wanted)} vertices in {len(panels)} panels checked against the interpreter'
          f'{"" if not bad else f", {bad} wrong"}')
    return panels


def segments(line):
    return zip(line, line[1:])


def check_kinks(gradc, tmp):
    # relu(x - 1): kink at 1; abs(x + 1): at -1; max(x, a) with a = 0: at 0.
    # The derivative is piecewise constant: -1.5, 0.5, 1.5, 2.5.
    case = 'kinks'
    panels = run_case(gradc, tmp, case, 'input x, a\nw = relu(x - 1) + abs(x + 1) + max(x, a) - 0.5*x\n',
                      'x', -3, 3, {'a': 0})
    if len(panels) != 1:
        return fail(case, f'{len(panels)} panels')
    p = panels[0]
    if p.labels != ['w', 'dw/dx']:
        fail(case, f'legend {p.labels}')
    near = 0.0002  # data units: 0.024 pixels
    for kink in (-1.0, 0.0, 1.0):
        # The value has a corner exactly there: a vertex at the kink.
        if not any(abs(p.x(px) - kink) < near for line in p.lines['value'] for px, _ in line):
            fail(case, f'no value vertex at the kink {kink}')
        # The derivative's line ends on one side of the kink and starts on the other.
        if not any(abs(p.x(line[-1][0]) - kink) < near for line in p.lines['deriv']):
            fail(case, f'no derivative line ends at the kink {kink}')
        if not any(abs(p.x(line[0][0]) - kink) < near for line in p.lines['deriv']):
            fail(case, f'no derivative line starts at the kink {kink}')
    # Broken at every jump: no segment of the derivative rises or falls (it
    # is constant between kinks), and none spans a kink.
    for line in p.lines['deriv']:
        for (xa, ya), (xb, yb) in segments(line):
            if abs(p.y(ya) - p.y(yb)) > 0.01:
                fail(case, f'derivative segment from x = {p.x(xa)} to {p.x(xb)} jumps '
                           f'from {p.y(ya)} to {p.y(yb)}: a jump drawn as a line')
            for kink in (-1.0, 0.0, 1.0):
                if p.x(xa) < kink - near and p.x(xb) > kink + near:
                    fail(case, f'derivative segment spans the kink {kink}')
    if len(p.lines['deriv']) != 4:
        fail(case, f'{len(p.lines["deriv"])} derivative lines, expected 4 (one per piece)')
    if len(p.lines['value']) != 1:
        fail(case, f'{len(p.lines["value"])} value lines, expected 1 (it is continuous)')
    # max(x, a) splits its derivative at the tie x = 0 (a grid point): half
    # each (SPEC 1), so dw/dx(0) = 1 between 0.5 and 1.5, a lone point.
    if not any(abs(p.x(cx)) < near and abs(p.y(cy) - 1) < 0.01 for cx, cy in p.dots['deriv']):
        fail(case, f'no dot for dw/dx(0) = 1 at the tie: {p.dots["deriv"]}')


def check_log(gradc, tmp):
    # log(x) is not finite for x <= 0: nothing drawn there, the axes still
    # fitted to finite tick labels. (Its derivative 1/x is finite for x < 0,
    # and drawn there, as the interpreter computes it.)
    case = 'log'
    panels = run_case(gradc, tmp, case, 'w = log(x)\n', 'x', -1, 1, {})
    for p in panels:
        xs = [p.x(px) for px, _ in p.vertices('value')]
        if not xs or min(xs) < -1e-4:
            fail(case, f'value vertices from x = {min(xs) if xs else None}, expected x > 0 only')
        if not p.lines['deriv'] or len(p.lines['deriv']) < 2:
            fail(case, f'{len(p.lines["deriv"])} derivative lines, expected one each side of 0')


def check_jumps(gradc, tmp):
    # floor and sign: the value jumps; each piece is its own horizontal line,
    # and sign(0) = 0 is a lone dot.
    case = 'jumps'
    panels = run_case(gradc, tmp, case, 'w = floor(2*x) + sign(x)/4\n', 'x', -2, 2, {})
    for p in panels:
        for line in p.lines['value']:
            for (xa, ya), (xb, yb) in segments(line):
                if abs(ya - yb) > 0.01:
                    fail(case, f'value segment from x = {p.x(xa)} to {p.x(xb)} is not flat')
        if len(p.lines['value']) != 8:
            fail(case, f'{len(p.lines["value"])} value lines, expected 8')
        if not any(abs(p.x(cx)) < 1e-3 and abs(p.y(cy)) < 0.01 for cx, cy in p.dots['value']):
            fail(case, f'no dot for w(0) = 0: {p.dots["value"]}')


def check_array_element(gradc, tmp):
    # An element of an array input along x, array outputs: a panel each.
    case = 'array'
    panels = run_case(gradc, tmp, case,
                      'input v[3], s\nh = relu([v[0] + v[1], v[1] - v[2]] * s)\ny = max(v[1], v[2])\n'
                      'output h, y\n', 'v[1]', -2, 2, {'v': [0.5, 0, -1], 's': 2})
    labels = [p.labels for p in panels]
    if labels != [['h[0]', 'dh[0]/dv[1]'], ['h[1]', 'dh[1]/dv[1]'], ['y', 'dy/dv[1]']]:
        fail(case, f'panels {labels}')


def check_wrt_value(gradc, tmp):
    # The program's wrt names an intermediate value only: the plot still
    # draws d/dx, as --wrt=x computes it.
    case = 'wrt-value'
    panels = run_case(gradc, tmp, case, 'input x, a\ns = a*x\nw = relu(s - 1) + s\nwrt s\n',
                      'x', -2, 2, {'a': 2})
    if [p.labels for p in panels] != [['w', 'dw/dx']]:
        fail(case, f'panels {[p.labels for p in panels]}')


def main():
    gradc, tmp = sys.argv[1], sys.argv[2]
    os.makedirs(tmp, exist_ok=True)
    check_kinks(gradc, tmp)
    check_log(gradc, tmp)
    check_jumps(gradc, tmp)
    check_array_element(gradc, tmp)
    check_wrt_value(gradc, tmp)
    print(f'{len(failures)} failures')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())

"""The run drawn over time, as one SVG beside the results (results.svg): the form queue's length,
the pages' p95 and the CPU the servers and the workers used, each a panel over the same time
axis (seconds since locust started; the shaded band is the ramp-up, the line the load's end)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, PANEL, GAP, LEFT, RIGHT, TOP = 760, 150, 46, 64, 16, 30


def _panel(
    y0: float,
    title: str,
    unit: str,
    series: Sequence[tuple[str, str, Sequence[tuple[float, float]]]],
    t_max: float,
    marks: tuple[float, float],
) -> list[str]:
    values = [v for _name, _colour, points in series for _t, v in points]
    top = max(values, default=0) or 1
    top = _nice(top)
    plot_w = WIDTH - LEFT - RIGHT

    def x(t: float) -> float:
        return LEFT + plot_w * t / t_max

    def y(v: float) -> float:
        return y0 + PANEL - PANEL * v / top

    out = [
        f'<text x="{LEFT}" y="{y0 - 8}" font-weight="bold">{escape(title)}</text>',
        f'<rect x="{x(0):.1f}" y="{y0}" width="{x(marks[0]) - x(0):.1f}" height="{PANEL}" '
        'fill="#eef1f5"/>',
        f'<line x1="{x(marks[1]):.1f}" y1="{y0}" x2="{x(marks[1]):.1f}" y2="{y0 + PANEL}" '
        'stroke="#999" stroke-dasharray="4 3"/>',
    ]
    for fraction in (0, 0.5, 1):
        v = top * fraction
        out.append(
            f'<line x1="{LEFT}" y1="{y(v):.1f}" x2="{WIDTH - RIGHT}" y2="{y(v):.1f}" '
            'stroke="#ddd"/>'
        )
        out.append(f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}{unit}</text>')
    legend_x = LEFT + 200
    for name, colour, points in series:
        if points:
            path = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in points)
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.8"/>'
            )
        out.append(f'<text x="{legend_x}" y="{y0 - 8}" fill="{colour}">— {escape(name)}</text>')
        legend_x += 12 + 7 * len(name)
    return out


def _nice(value: float) -> float:
    """The axis' top: 1, 2 or 5 times a power of ten, at or above `value`."""
    power = 10 ** max(0, len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def draw(timeline: list[dict], p95: list[tuple[float, float]], warmup: float, load_s: float) -> str:
    """timeline: samples {t, queue, cpu: {group: cores}}; p95: (t, ms) of all pages."""
    t_max = max([s["t"] for s in timeline] + [t for t, _v in p95] + [load_s, 1])
    queue = [(s["t"], s["queue"]) for s in timeline]

    def cores(s: dict, word: str) -> float:
        return sum(v for k, v in s["cpu"].items() if k.startswith(word))

    servers = [(s["t"], cores(s, "gunicorn")) for s in timeline]
    workers = [(s["t"], cores(s, "workers")) for s in timeline]
    height = TOP + 3 * (PANEL + GAP) + 10
    marks = (warmup, load_s)
    body = [
        *_panel(
            TOP, "Forms waiting for the worker", "", [("queue", "#0b5394", queue)], t_max, marks
        ),
        *_panel(
            TOP + PANEL + GAP,
            "Pages, p95",
            " ms",
            [("all pages", "#b45f06", p95)],
            t_max,
            marks,
        ),
        *_panel(
            TOP + 2 * (PANEL + GAP),
            "CPU (cores)",
            "",
            [("servers", "#38761d", servers), ("workers", "#741b47", workers)],
            t_max,
            marks,
        ),
        f'<text x="{WIDTH - RIGHT}" y="{height - 4}" text-anchor="end">seconds since the start '
        f"(shaded: ramp-up; dashed: the load ends)</text>",
    ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'font-family="sans-serif" font-size="11">'
        f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>' + "".join(body) + "</svg>\n"
    )

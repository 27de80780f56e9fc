"""The trend chart: findings by severity per run (stacked bars) and the median article grade (a line).

Draws ``report.history["trend"]`` (computed once when the run was recorded, see
audits/history/record.py) as one inline SVG with its own colours, so report.html
and summary.md embed the same picture and it opens from disk with no CDN.
"""
from __future__ import annotations

from html import escape
from typing import Optional

W, H = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 44, 18, 44
COLORS = {"error": "#c62828", "warning": "#ef9a00", "info": "#1e88e5"}
GRADE = "#6a1b9a"


def _nice_max(value: float) -> int:
    """The axis top: 4, 8, 20, 40, 80, 200... (four grid steps of round numbers)."""
    for exp in range(9):
        for lead in (4, 8, 20):
            if value <= lead * 10 ** exp:
                return lead * 10 ** exp
    return int(value)


def _date(started_at: str) -> str:
    return started_at[5:10] if len(started_at) >= 10 else started_at


def svg(trend: list[dict], max_grade: Optional[float] = None) -> str:
    """The chart as an <svg> element; empty when there are no runs."""
    if not trend:
        return ""
    totals = [sum(p["findings"].get(s, 0) for s in COLORS) for p in trend]
    top = _nice_max(max(totals) or 1)
    grades = [p.get("median_grade") for p in trend]
    known = [g for g in grades if g is not None]
    grade_top = max(16, int(max(known + [max_grade or 0])) + 2) if known else 16
    plot_w, plot_h = W - LEFT - RIGHT, H - TOP - BOTTOM
    slot = plot_w / len(trend)
    bar_w = min(46.0, slot * 0.6)
    base = TOP + plot_h
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" '
           f'font-family="system-ui,sans-serif" font-size="11" '
           f'aria-label="Findings by severity per run, and the median reading grade of articles">']
    for i in range(5):  # grid and the findings axis
        value = top * i / 4
        y = base - plot_h * i / 4
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" stroke="#e3e7ee"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#5f6b7a">{value:,.0f}</text>')
        if known:
            out.append(f'<text x="{W - RIGHT + 6}" y="{y + 4:.1f}" fill="{GRADE}">{grade_top * i / 4:.0f}</text>')
    for i, (point, total) in enumerate(zip(trend, totals)):
        x = LEFT + slot * i + (slot - bar_w) / 2
        y = base
        counts = point["findings"]
        label = (f"{point['run']} {point['started_at']}: " + ", ".join(f"{counts.get(s, 0):,} {s}" for s in COLORS)
                 + (f"; median grade {point['median_grade']:.1f}" if point.get("median_grade") is not None else ""))
        out.append(f"<g><title>{escape(label)}</title>")
        for severity, color in reversed(COLORS.items()):  # info at the bottom, errors on top
            n = counts.get(severity, 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{color}"/>')
        out.append("</g>")
        if total:
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" fill="#1d2330">{total:,}</text>')
        cx = LEFT + slot * (i + 0.5)
        out.append(f'<text x="{cx:.1f}" y="{base + 14}" text-anchor="middle" fill="#5f6b7a">{escape(point["run"])}</text>')
        out.append(f'<text x="{cx:.1f}" y="{base + 27}" text-anchor="middle" fill="#5f6b7a">{escape(_date(point["started_at"]))}</text>')
    if known:
        points = [(LEFT + slot * (i + 0.5), base - plot_h * g / grade_top) for i, g in enumerate(grades) if g is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{GRADE}" stroke-width="2"/>')
        out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{GRADE}"/>' for x, y in points]
        if max_grade is not None:
            y = base - plot_h * max_grade / grade_top
            out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" stroke="{GRADE}" '
                       f'stroke-dasharray="4 4" opacity="0.6"/>')
            # A white halo keeps the label readable where it crosses the last run's bar.
            out.append(f'<text x="{W - RIGHT - 4}" y="{y - 4:.1f}" text-anchor="end" fill="{GRADE}" '
                       f'stroke="#fff" stroke-width="3" paint-order="stroke">grade limit {max_grade:g}</text>')
    legend = [(COLORS[s], s) for s in COLORS] + ([(GRADE, "median article grade (right axis)")] if known else [])
    x = LEFT
    for color, name in legend:
        out.append(f'<rect x="{x}" y="{H - 11}" width="10" height="10" fill="{color}"/>'
                   f'<text x="{x + 14}" y="{H - 2}" fill="#1d2330">{escape(name)}</text>')
        x += 24 + 6.5 * len(name)
    out.append("</svg>")
    return "".join(out)

"""Charts of a campaign drawn as SVG on the server: no JavaScript in the page, the same
picture in the PDF report. Plain values in, an SVG string out; every text is escaped.

- `state_bar`: one stacked bar of the rows by state, with a legend;
- `cumulative`: submissions and approvals over time as step lines, the deadline as a vertical line;
- `requirement_verdicts`: per requirement, the assessments by verdict, most failed first.
"""

from __future__ import annotations

from datetime import date, timedelta
from xml.sax.saxutils import escape, quoteattr

FONT = "Liberation Sans, PT Sans, Arial, sans-serif"
STATE_COLOURS = {
    "not_started": "#b0b7c3", "draft": "#d9c27a", "submitted": "#6fa8dc", "in_review": "#3d78c4",
    "decision_pending": "#2b5797",
    "returned": "#e69138", "approved": "#4e9a5b", "withdrawn": "#8e7cc3",
}
VERDICT_COLOURS = {"met": "#4e9a5b", "partly": "#e6b138", "not_met": "#cc4b37"}
SUBMISSIONS_COLOUR = "#3d78c4"
APPROVALS_COLOUR = "#4e9a5b"
DEADLINE_COLOUR = "#cc4b37"


def _text(x: float, y: float, content: str, *, size: int = 12, anchor: str = "start",
          fill: str = "#222", weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{fill}" font-weight="{weight}">{escape(content)}</text>')


def _svg(width: int, height: int, title: str, body: list[str], css_class: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class={quoteattr(css_class)} role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family={quoteattr(FONT)}><title>{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def state_bar(counts: list[tuple[str, str, int]], *, title: str, width: int = 760) -> str:
    """counts: (state key, label, count) in display order."""
    total = sum(c for _k, _l, c in counts) or 1
    bar_x, bar_y, bar_w, bar_h = 10, 28, width - 20, 34
    body = [_text(10, 18, title, size=13, weight="bold")]
    x = float(bar_x)
    for key, label, count in counts:
        if not count:
            continue
        w = bar_w * count / total
        colour = STATE_COLOURS.get(key, "#999")
        body.append(f'<rect class="segment" data-state={quoteattr(key)} data-count="{count}" '
                    f'x="{x:.1f}" y="{bar_y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                    f'<title>{escape(label)}: {count}</title></rect>')
        if w >= 24:
            body.append(_text(x + w / 2, bar_y + 22, str(count), size=12, anchor="middle",
                              fill="#fff", weight="bold"))
        x += w
    # Legend: wrapped in rows of at most four items.
    ly = bar_y + bar_h + 22
    lx = 10
    for key, label, count in counts:
        item = f"{label}: {count}"
        item_w = 22 + 7 * len(item)
        if lx + item_w > width:
            lx, ly = 10, ly + 20
        body.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" '
                    f'fill="{STATE_COLOURS.get(key, "#999")}"/>')
        body.append(_text(lx + 17, ly, item, size=12))
        lx += item_w + 12
    return _svg(width, ly + 12, title, body, "chart chart-states")


def _steps(days: list[date], start: date, span: int, x0: float, plot_w: float, y_of) -> str:
    """A step line of the running count of `days` (sorted)."""
    points = [(x0, y_of(0))]
    count = 0
    for day in days:
        x = x0 + plot_w * min(max((day - start).days, 0), span) / span
        points.append((x, y_of(count)))
        count += 1
        points.append((x, y_of(count)))
    points.append((x0 + plot_w, y_of(count)))
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def cumulative(submissions: list[date], approvals: list[date], *, start: date, deadline: date,
               today: date, total: int, title: str, labels: dict[str, str],
               width: int = 760, height: int = 300) -> str:
    """labels: 'submissions', 'approvals', 'deadline' (the legend's words)."""
    end = max(today, deadline, *(submissions or [start]), *(approvals or [start]))
    # A campaign announced long before anything happened (or a circular reused years later)
    # would squeeze the activity into the right edge: the axis then starts a month before it.
    first_activity = min([*submissions, today, deadline])
    if (first_activity - start).days > 120:
        start = first_activity - timedelta(days=30)
    start = min(start, *(submissions or [start]))
    span = max((end - start).days, 1)
    left, right, top, bottom = 46, 16, 30, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max(total, len(submissions), 1)

    def y_of(value: float) -> float:
        return top + plot_h * (1 - value / top_value)

    def x_of(day: date) -> float:
        return left + plot_w * (day - start).days / span

    body = [_text(10, 18, title, size=13, weight="bold")]
    # Horizontal grid with values.
    for i in range(5):
        value = round(top_value * i / 4)
        y = y_of(value)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                    f'stroke="#e3e6ea"/>')
        body.append(_text(left - 6, y + 4, str(value), size=11, anchor="end", fill="#555"))
    # Date ticks: start, deadline, end, and the middle.
    ticks = {start: "start", start + timedelta(days=span // 2): "middle", end: "end"}
    for day, anchor in sorted(ticks.items()):
        x = x_of(day)
        body.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 4}" '
                    f'stroke="#555"/>')
        body.append(_text(x, top + plot_h + 16, day.strftime("%d.%m.%Y"), size=11,
                          anchor=anchor, fill="#555"))
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
                f'stroke="#555"/>')
    body.append(f'<polyline class="submissions" fill="none" stroke="{SUBMISSIONS_COLOUR}" '
                f'stroke-width="2.5" points="{_steps(submissions, start, span, left, plot_w, y_of)}"/>')
    body.append(f'<polyline class="approvals" fill="none" stroke="{APPROVALS_COLOUR}" '
                f'stroke-width="2.5" points="{_steps(approvals, start, span, left, plot_w, y_of)}"/>')
    dx = x_of(deadline)
    body.append(f'<line class="deadline" x1="{dx:.1f}" y1="{top - 4}" x2="{dx:.1f}" '
                f'y2="{top + plot_h}" stroke="{DEADLINE_COLOUR}" stroke-width="2" '
                f'stroke-dasharray="6 4"/>')
    anchor = "end" if dx > left + plot_w * 0.7 else "start"
    body.append(_text(dx + (-4 if anchor == "end" else 4), top + 10,
                      f'{labels["deadline"]} {deadline:%d.%m.%Y}', size=11, anchor=anchor,
                      fill=DEADLINE_COLOUR))
    ly = height - 10
    body.append(f'<rect x="{left}" y="{ly - 9}" width="14" height="4" fill="{SUBMISSIONS_COLOUR}"/>')
    body.append(_text(left + 20, ly, f'{labels["submissions"]}: {len(submissions)}', size=12))
    ax = left + 40 + 7 * len(labels["submissions"]) + 30
    body.append(f'<rect x="{ax}" y="{ly - 9}" width="14" height="4" fill="{APPROVALS_COLOUR}"/>')
    body.append(_text(ax + 20, ly, f'{labels["approvals"]}: {len(approvals)}', size=12))
    return _svg(width, height, title, body, "chart chart-cumulative")


def requirement_verdicts(rows: list[tuple[int, str, dict[str, int]]], *, title: str,
                         verdict_labels: dict[str, str], width: int = 760) -> str:
    """rows: (position, requirement text, {verdict: count}); drawn most failed first."""
    ordered = sorted(rows, key=lambda r: (-(r[2].get("not_met", 0) + r[2].get("partly", 0)), r[0]))
    label_w, bar_left = 300, 310
    bar_w = width - bar_left - 40
    row_h = 26
    top = 30
    most = max((sum(v.values()) for _p, _t, v in ordered), default=0) or 1
    body = [_text(10, 18, title, size=13, weight="bold")]
    y = top
    for position, text, counts in ordered:
        body.append(_text(10, y + 16, _shorten(f"{position}. {text}", label_w // 7), size=12))
        x = float(bar_left)
        for verdict in ("not_met", "partly", "met"):
            count = counts.get(verdict, 0)
            if not count:
                continue
            w = bar_w * count / most
            body.append(f'<rect class="verdict" data-requirement="{position}" '
                        f'data-verdict="{verdict}" data-count="{count}" x="{x:.1f}" y="{y + 3}" '
                        f'width="{w:.1f}" height="{row_h - 8}" fill="{VERDICT_COLOURS[verdict]}">'
                        f'<title>{escape(verdict_labels[verdict])}: {count}</title></rect>')
            if w >= 18:
                body.append(_text(x + w / 2, y + 16, str(count), size=11, anchor="middle",
                                  fill="#fff", weight="bold"))
            x += w
        total = sum(counts.values())
        body.append(_text(x + 5, y + 16, str(total), size=11, fill="#555"))
        y += row_h
    if not ordered:
        body.append(_text(10, y + 16, "—", size=12))
        y += row_h
    ly = y + 18
    lx = 10
    for verdict in ("not_met", "partly", "met"):
        body.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" '
                    f'fill="{VERDICT_COLOURS[verdict]}"/>')
        body.append(_text(lx + 17, ly, verdict_labels[verdict], size=12))
        lx += 30 + 7 * len(verdict_labels[verdict])
    return _svg(width, ly + 10, title, body, "chart chart-verdicts")

"""HTML building blocks: one self-contained page (inline CSS, images as data URIs), sections, tables,
figures, status badges and the "section unavailable" note. Every text is escaped here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

CSS = """
*{box-sizing:border-box}
body{font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;
 margin:0;background:#f6f8fa;font-size:14px;line-height:1.45}
main{max-width:1120px;margin:0 auto;padding:24px 28px 48px;background:#fff;min-height:100vh}
header{border-bottom:3px solid #0b4f8a;padding-bottom:12px;margin-bottom:18px}
header .company{color:#57606a;font-size:13px;text-transform:uppercase;letter-spacing:.06em}
h1{font-size:26px;margin:4px 0 4px}
header .meta{color:#57606a;font-size:13px}
h2{font-size:19px;margin:30px 0 6px;color:#0b4f8a;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
p.intro{color:#424a53;margin:4px 0 10px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0 6px}
.card{flex:1 1 200px;border:1px solid #d0d7de;border-radius:8px;padding:10px 14px;background:#fbfcfd}
.card .label{font-size:12px;color:#57606a;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:21px;font-weight:600;margin-top:2px}
.card .note{font-size:12px;color:#57606a}
table.data{border-collapse:collapse;width:100%;margin:8px 0 6px;font-size:13px}
table.data th{background:#eef2f6;text-align:left;padding:6px 8px;border-bottom:2px solid #d0d7de;
 font-weight:600;white-space:nowrap}
table.data td{padding:5px 8px;border-bottom:1px solid #e5e9ee;vertical-align:top}
table.data tr:nth-child(even) td{background:#fafbfc}
table.data td.num,table.data th.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;
 white-space:nowrap}
.status-green,.verdict-improved{background:#dafbe1;color:#116329}
.status-amber{background:#fff1c2;color:#7d4e00}
.status-red,.verdict-declined{background:#ffebe9;color:#a40e26}
.status-none,.verdict-no-clear-change{background:#eaeef2;color:#424a53}
.verdict-not-enough-data{background:#f6f8fa;color:#6e7781;border:1px dashed #afb8c1}
.muted{color:#6e7781}
.hidden-value{color:#6e7781;font-style:italic}
figure{margin:12px 0 18px;padding:0}
figure img{max-width:100%;height:auto;border:1px solid #e5e9ee;border-radius:6px}
figcaption{font-size:12.5px;color:#57606a;margin-top:4px}
.unavailable{border:1px solid #d4a72c;background:#fff8c5;color:#4d2d00;border-radius:6px;padding:10px 14px;
 margin:10px 0}
.note{font-size:12.5px;color:#57606a;margin:4px 0}
footer{margin-top:36px;border-top:1px solid #d0d7de;padding-top:8px;font-size:12px;color:#6e7781}
"""


class Raw(str):
    """Trusted HTML that `table` and `page` insert without escaping (built by this module)."""


def text(value: object) -> str:
    """Escaped text (Raw passes through)."""
    return value if isinstance(value, Raw) else escape("" if value is None else str(value))


def badge(label: str, css: str) -> Raw:
    """A coloured pill, e.g. a status or a verdict."""
    return Raw(f'<span class="badge {escape(css)}">{escape(label)}</span>')


def status_badge(status: object) -> Raw:
    """green / amber / red pill; anything else shows as 'no target'."""
    s = str(status) if status in ("green", "amber", "red") else None
    return badge(s or "no target", f"status-{s or 'none'}")


def verdict_badge(verdict: object) -> Raw:
    """Manager-impact verdict pill."""
    v = str(verdict or "not enough data")
    return badge(v, "verdict-" + v.replace(" ", "-"))


def muted(value: str) -> Raw:
    """Grey italic text, for hidden or absent values."""
    return Raw(f'<span class="hidden-value">{escape(value)}</span>')


def table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, table_id: str, numeric: Iterable[int] = ()
) -> Raw:
    """A data table; columns whose index is in `numeric` are right-aligned."""
    num = set(numeric)
    head = "".join(
        f'<th class="num">{text(h)}</th>' if i in num else f"<th>{text(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="num">{text(c)}</td>' if i in num else f"<td>{text(c)}</td>"
            for i, c in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}" class="muted">no rows</td></tr>')
    return Raw(
        f'<table class="data" id="{escape(table_id)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def figure(data_uri: str, caption: str, alt: str) -> Raw:
    """An embedded chart with its caption (what it shows and from which table)."""
    return Raw(
        f'<figure><img src="{escape(data_uri)}" alt="{escape(alt)}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def cards(items: Iterable[tuple[str, str, str]]) -> Raw:
    """Key numbers at the top of a page: (label, value, note)."""
    out = "".join(
        f'<div class="card"><div class="label">{text(label)}</div><div class="value">{text(value)}'
        f'</div><div class="note">{text(note)}</div></div>'
        for label, value, note in items
    )
    return Raw(f'<div class="cards">{out}</div>')


def paragraph(value: object, css: str = "intro") -> Raw:
    """A paragraph of text."""
    return Raw(f'<p class="{escape(css)}">{text(value)}</p>')


def heading(value: str) -> Raw:
    """A sub-heading inside a section."""
    return Raw(f"<h3>{escape(value)}</h3>")


def unavailable(reason: str) -> Raw:
    """The note a section shows instead of its content when a table is missing."""
    return Raw(f'<div class="unavailable">Section unavailable: {escape(reason)}.</div>')


def section(title: str, section_id: str, parts: Iterable[object]) -> Raw:
    """A titled section made of already-built parts."""
    body = "".join(text(p) for p in parts)
    return Raw(f'<section id="{escape(section_id)}"><h2>{escape(title)}</h2>{body}</section>')


def page(*, title: str, company: str, meta: str, parts: Iterable[object], footer: str) -> str:
    """The whole document: no external stylesheet, script, font or image."""
    body = "".join(text(p) for p in parts)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · {escape(company)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{CSS}</style></head><body><main>"
        f'<header><div class="company">{escape(company)}</div><h1>{escape(title)}</h1>'
        f'<div class="meta">{escape(meta)}</div></header>{body}'
        f"<footer>{escape(footer)}</footer></main></body></html>\n"
    )

"""What every page shares: the build context, guarded sections and the page/summary assembly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import duckdb

from revops.config import RevopsConfig
from revops.reports.html import Raw, cards, page, section, unavailable
from revops.reports.source import TableMissing, Warehouse


@dataclass
class Rendered:
    """One report: its HTML document and a short Markdown summary."""

    kind: str
    title: str
    html: str
    markdown: str
    unavailable: list[str] = field(default_factory=list)


@dataclass
class Context:
    """Everything a page needs, plus what its sections report back (cards, summary lines)."""

    wh: Warehouse
    as_of: date
    config: RevopsConfig
    cards: list[tuple[str, str, str]] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return self.config.company.corporate_currency

    @property
    def fy(self) -> int:
        return self.config.company.fiscal_year_start_month

    @property
    def headline(self) -> list[str]:
        return list(self.config.kpis.headline)

    def guarded(self, title: str, section_id: str, build: Callable[[], Sequence[object]]) -> Raw:
        """A section whose content comes from `build`; a missing table (or a table without the columns
        the contract promises) turns it into a "section unavailable" note instead of failing the page."""
        try:
            parts = build()
        except TableMissing as exc:
            reason = str(exc)
        except (duckdb.CatalogException, duckdb.BinderException) as exc:
            first = str(exc).splitlines()[0]
            reason = f"a table does not match the warehouse contract ({first}); rebuild the warehouse"
        else:
            return section(title, section_id, parts)
        self.unavailable.append(f"{title}: {reason}")
        self.summary.append(f"- **{title}**: section unavailable: {reason}")
        return section(title, section_id, [unavailable(reason)])


def render(ctx: Context, *, kind: str, title: str, meta: str, sections: Sequence[Raw]) -> Rendered:
    """Assemble the page (key-number cards first) and its Markdown summary."""
    company = ctx.config.company.name
    parts: list[object] = [cards(ctx.cards)] if ctx.cards else []
    parts += list(sections)
    footer = (
        f"{company} · {title} · data as of {ctx.as_of.isoformat()} · amounts in "
        f"{ctx.currency} · generated from the tables named under each chart and table, "
        f"{ctx.wh.origin.describe()}"
    )
    html = page(title=title, company=company, meta=meta, parts=parts, footer=footer)
    md = [f"### {title}", "", f"{meta}", ""]
    md += [f"- **{label}**: {value}" + (f" ({note})" if note else "") for label, value, note in ctx.cards]
    md += ctx.summary
    md += ["", f"_Data {ctx.wh.origin.describe()}._"]
    return Rendered(
        kind=kind, title=title, html=html, markdown="\n".join(md) + "\n", unavailable=list(ctx.unavailable)
    )

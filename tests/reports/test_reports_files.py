"""The report files: one self-contained HTML page and one Markdown summary per kind; sections whose
tables are missing say so instead of failing the page."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from report_html import parse, rows_of
from report_warehouse import AS_OF, build_warehouse, make_config

from revops.reports import KINDS, write_reports


def test_every_kind_is_written_with_its_markdown_summary(warehouse, config, tmp_path) -> None:
    paths = write_reports(warehouse, tmp_path, as_of=AS_OF, config=config, kinds=["quarterly", "weekly"])
    assert paths == [tmp_path / "quarterly.html", tmp_path / "weekly.html"]
    assert (tmp_path / "quarterly.md").read_text().startswith("### Quarterly review")
    assert "**Deals in negotiation**" in (tmp_path / "weekly.md").read_text()
    assert not (tmp_path / "monthly.html").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


@pytest.mark.parametrize("kind", KINDS)
def test_reports_are_self_contained(written, kind) -> None:
    html = written[kind]
    page = parse(html)
    assert not [u for u in page.urls if re.match(r"(?i)^\s*(https?:)?//", u)]
    assert "link" not in page.tags and "script" not in page.tags
    images = [u for u in page.urls if u.startswith("data:")]
    assert images and all(u.startswith("data:image/png;base64,") for u in images)
    assert "<style>" in html


@pytest.mark.parametrize("kind", KINDS)
def test_every_chart_has_a_caption_naming_its_table(written, kind) -> None:
    figures = re.findall(r"<figure>(.*?)</figure>", written[kind], flags=re.S)
    assert figures
    for fig in figures:
        caption = re.search(r"<figcaption>(.*?)</figcaption>", fig, flags=re.S)
        assert caption is not None
        assert re.search(r"\b(kpi|forecast|team_health|marts)\.[a-z_]+", caption.group(1))


def test_amounts_are_shown_in_the_corporate_currency(warehouse, tmp_path) -> None:
    (path,) = write_reports(
        warehouse, tmp_path, as_of=AS_OF, config=make_config(corporate_currency="EUR"), kinds=["weekly"]
    )
    amounts = [r[2] for r in rows_of(path.read_text(), "pipeline-created")]
    assert amounts and all(a.endswith(" EUR") for a in amounts)
    assert " USD" not in path.read_text()


def test_text_from_the_warehouse_is_escaped(written) -> None:
    assert "Deal 003 &lt;Acme &amp; Co&gt;" in written["weekly"]
    assert "<Acme" not in written["weekly"]


def test_a_missing_forecast_schema_makes_its_sections_unavailable(tmp_path) -> None:
    wh = build_warehouse(tmp_path / "w.duckdb", skip=["forecast"])
    paths = write_reports(wh, tmp_path / "out", as_of=AS_OF, config=make_config())
    pages = {p.stem: p.read_text() for p in paths}
    assert len(pages) == 4
    assert "section unavailable: table forecast.period_forecasts does not exist" in pages["weekly"].lower()
    assert "section unavailable: table forecast.pipeline_waterfall does not exist" in pages["weekly"].lower()
    assert (
        "section unavailable: table forecast.forecast_accuracy does not exist" in pages["quarterly"].lower()
    )
    assert "forecast.period_forecasts does not exist" in (tmp_path / "out" / "weekly.md").read_text()
    # the other sections still show their numbers
    assert rows_of(pages["weekly"], "negotiation")
    assert rows_of(pages["quarterly"], "coverage")


def test_missing_team_health_tables_leave_the_other_sections(tmp_path) -> None:
    wh = build_warehouse(
        tmp_path / "w.duckdb", skip=["team_health.manager_impact", "team_health.ramp_curves"]
    )
    (path,) = write_reports(wh, tmp_path / "out", as_of=AS_OF, config=make_config(), kinds=["team_health"])
    html = path.read_text()
    assert "Section unavailable: table team_health.manager_impact does not exist" in html
    assert "table team_health.ramp_curves does not exist" in html
    assert rows_of(html, "team-health-overview") and rows_of(html, "ramp-summary")


def test_an_empty_warehouse_gives_four_pages_of_unavailable_sections(tmp_path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    paths = write_reports(empty, tmp_path / "out", as_of=AS_OF, config=make_config())
    assert [p.stem for p in paths] == list(KINDS)
    for p in paths:
        assert "Section unavailable: table " in p.read_text()
        assert "section unavailable" in p.with_suffix(".md").read_text()


def test_tables_without_rows_give_pages_that_say_so(tmp_path) -> None:
    wh = build_warehouse(tmp_path / "w.duckdb", empty=True)
    paths = write_reports(wh, tmp_path / "out", as_of=AS_OF, config=make_config())
    pages = {p.stem: p.read_text() for p in paths}
    assert "Section unavailable" not in "".join(pages.values())
    assert "0 open deals in negotiation" in pages["weekly"]
    assert "no company forecast for Q2 FY2026" in pages["weekly"]
    assert "no back-tested quarter yet" in pages["quarterly"]
    assert "team_health.manager_impact is empty" in pages["team_health"]
    assert rows_of(pages["monthly"], "top-movers") == [["no rows"]]


def test_an_unknown_kind_is_refused_with_the_allowed_kinds(warehouse, config, tmp_path) -> None:
    with pytest.raises(ValueError, match="'yearly'.*weekly, monthly, quarterly, team_health"):
        write_reports(warehouse, tmp_path, as_of=AS_OF, config=config, kinds=["weekly", "yearly"])
    assert not list(tmp_path.iterdir())


def test_a_missing_warehouse_file_says_what_to_run(config, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="revops build"):
        write_reports(tmp_path / "nope.duckdb", tmp_path / "out", as_of=AS_OF, config=config)

"""Read back what a report page shows: the cells of its tables (by table id), its images and links."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.cell_classes: dict[str, list[list[str]]] = {}
        self.urls: list[str] = []
        self.tags: list[str] = []
        self._table: str | None = None
        self._in_body = False
        self._row: list[str] | None = None
        self._row_classes: list[str] | None = None
        self._cell: list[str] | None = None
        self._cell_classes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        for key in ("src", "href"):
            if a.get(key):
                self.urls.append(str(a[key]))
        if tag == "table" and a.get("id"):
            self._table = str(a["id"])
            self.tables[self._table] = []
            self.cell_classes[self._table] = []
        elif tag == "tbody" and self._table:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row, self._row_classes = [], []
        elif tag == "td" and self._row is not None:
            self._cell, self._cell_classes = [], []
        elif tag == "span" and self._cell is not None and a.get("class"):
            self._cell_classes.extend(str(a["class"]).split())

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._row is not None and self._row_classes is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._row_classes.append(" ".join(self._cell_classes))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self.cell_classes[self._table].append(self._row_classes or [])
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> _Tables:
    """Parse a page; `.tables[id]` are body rows of cell texts, `.cell_classes[id]` the CSS classes of
    the badges in each cell, `.urls` every src and href."""
    p = _Tables()
    p.feed(html)
    return p


def rows_of(html: str, table_id: str) -> list[list[str]]:
    """Body rows of the table with this id (cell texts, whitespace collapsed)."""
    tables = parse(html).tables
    assert table_id in tables, f"no table {table_id!r}; tables: {sorted(tables)}"
    return tables[table_id]

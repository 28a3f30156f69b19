"""Associations between CRM records, answered in both directions from one line per pair.

The dataset holds `{"fromObjectType", "fromId", "toObjectType", "toId", "typeId", "category"}` lines;
the reverse direction uses HubSpot's paired type id (deal->contact 3 is contact->deal 4, ...).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any

# HUBSPOT_DEFINED type ids in one direction; the reverse is listed too.
_PAIRS: list[tuple[str, str, int, int]] = [
    ("contacts", "companies", 279, 280),
    ("contacts", "companies", 1, 2),
    ("deals", "contacts", 3, 4),
    ("deals", "companies", 341, 342),
    ("deals", "companies", 5, 6),
    ("companies", "calls", 181, 182),
    ("companies", "emails", 185, 186),
    ("companies", "meetings", 187, 188),
    ("companies", "notes", 189, 190),
    ("companies", "tasks", 191, 192),
    ("contacts", "calls", 193, 194),
    ("contacts", "emails", 197, 198),
    ("contacts", "meetings", 199, 200),
    ("contacts", "notes", 201, 202),
    ("contacts", "tasks", 203, 204),
    ("deals", "calls", 205, 206),
    ("deals", "emails", 209, 210),
    ("deals", "meetings", 211, 212),
    ("deals", "notes", 213, 214),
    ("deals", "tasks", 215, 216),
]
_REVERSE: dict[tuple[str, str, int], int] = {}
for _a, _b, _ab, _ba in _PAIRS:
    _REVERSE[(_a, _b, _ab)] = _ba
    _REVERSE[(_b, _a, _ba)] = _ab

_PRIMARY = {1, 2, 5, 6}


def _singular(object_type: str) -> str:
    return "company" if object_type == "companies" else object_type.removesuffix("s")


def reverse_type_id(from_type: str, to_type: str, type_id: int) -> int:
    """The type id of the same association read from the other side (unknown ids are kept)."""
    return _REVERSE.get((from_type, to_type, type_id), type_id)


def type_name(from_type: str, to_type: str, type_id: int) -> str:
    """The v3 `associations` label, e.g. `deal_to_contact`; non-primary company links get
    `_unlabeled`, as the real API names them."""
    base = f"{_singular(from_type)}_to_{_singular(to_type)}"
    if to_type == "companies" and type_id not in _PRIMARY and from_type in ("deals", "contacts"):
        return base + "_unlabeled"
    return base


# key: (from type, from id, to type) -> {to id: ((category, type id), ...)}
Index = dict[tuple[str, str, str], dict[str, tuple[tuple[str, int], ...]]]


def build_index(lines: Iterable[Mapping[str, Any]]) -> Index:
    """Both directions of every association line. Kept compact (ids interned so both directions
    share them, each pair of category and type id one shared tuple): a large company has 11 million
    lines."""
    index: Index = {}
    pairs: dict[tuple[str, int], tuple[str, int]] = {}
    intern = sys.intern

    def add(key: tuple[str, str, str], to_id: str, pair: tuple[str, int]) -> None:
        inner = index.get(key)
        if inner is None:
            inner = index[key] = {}
        have = inner.get(to_id)
        if have is None:
            inner[to_id] = (pair,)
        elif pair not in have:
            inner[to_id] = (*have, pair)

    for line in lines:
        a, a_id = intern(str(line["fromObjectType"])), intern(str(line["fromId"]))
        b, b_id = intern(str(line["toObjectType"])), intern(str(line["toId"]))
        type_id = int(line.get("typeId", 0))
        category = intern(str(line.get("category", "HUBSPOT_DEFINED")))
        forward = pairs.setdefault((category, type_id), (category, type_id))
        back_id = reverse_type_id(a, b, type_id)
        back = pairs.setdefault((category, back_id), (category, back_id))
        add((a, a_id, b), b_id, forward)
        add((b, b_id, a), a_id, back)
    return index


def targets(
    index: Index, from_type: str, from_id: str, to_type: str
) -> list[tuple[str, list[tuple[str, int]]]]:
    """(to id, sorted association types) for one record, in numeric id order."""
    found = index.get((from_type, from_id, to_type), {})
    return [(to_id, sorted(found[to_id])) for to_id in sorted(found, key=lambda s: (len(s), s))]

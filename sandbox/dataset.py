"""A sandbox dataset: per CRM, per object, the records in the API's own shape (see FORMAT.md)."""

from __future__ import annotations

import csv
import io
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CRMS = ("salesforce", "hubspot", "pipedrive")


@dataclass
class Dataset:
    """Records served by the sandbox servers; `lock` guards changes made while servers read."""

    records: dict[str, dict[str, list[dict[str, Any]]]] = field(
        default_factory=lambda: {crm: {} for crm in CRMS}
    )
    inputs: dict[str, str] = field(default_factory=dict)  # file name -> CSV text
    truth: dict[str, str] = field(default_factory=dict)  # file name -> CSV text
    meta: dict[str, Any] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def objects(self, crm: str, name: str) -> list[dict[str, Any]]:
        """The records of one object (an empty list when the dataset has none)."""
        return self.records.get(crm, {}).get(name, [])

    def replace(self, other: Dataset) -> None:
        """Swap in the content of another dataset (a day step), atomically for readers."""
        with self.lock:
            self.records = other.records
            self.inputs = other.inputs
            self.truth = other.truth
            self.meta = other.meta

    def save(self, folder: Path) -> None:
        """Write the dataset as a folder of JSON Lines and CSV files."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "meta.json").write_text(json.dumps(self.meta, indent=2, default=str))
        for crm, objects in self.records.items():
            (folder / crm).mkdir(exist_ok=True)
            for name, rows in objects.items():
                with open(folder / crm / f"{name}.jsonl", "w", encoding="utf-8") as fh:
                    for row in rows:
                        fh.write(json.dumps(row, default=str, ensure_ascii=False))
                        fh.write("\n")
        for sub, files in (("inputs", self.inputs), ("truth", self.truth)):
            if files:
                (folder / sub).mkdir(exist_ok=True)
                for name, text in files.items():
                    (folder / sub / name).write_text(text, encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Dataset:
        """Read a dataset folder written by `save` or by hand."""
        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(f"sandbox dataset folder {folder} does not exist")
        ds = cls()
        meta = folder / "meta.json"
        if meta.exists():
            ds.meta = json.loads(meta.read_text())
        for crm in CRMS:
            sub = folder / crm
            if not sub.is_dir():
                continue
            for path in sorted(sub.glob("*.jsonl")):
                rows = []
                with open(path, encoding="utf-8") as fh:
                    for lineno, line in enumerate(fh, start=1):
                        line = line.strip()
                        if not line:
                            continue
                        try:
                            rows.append(json.loads(line))
                        except json.JSONDecodeError as exc:
                            raise ValueError(
                                f"{path}:{lineno}: not valid JSON ({exc.msg}); each line must be one "
                                "record in the API's shape"
                            ) from exc
                ds.records[crm][path.stem] = rows
        for sub, target in (("inputs", ds.inputs), ("truth", ds.truth)):
            files = sorted((folder / sub).glob("*.csv")) if (folder / sub).is_dir() else []
            for csv_path in files:
                target[csv_path.name] = csv_path.read_text(encoding="utf-8")
        return ds


def read_csv(text: str) -> list[dict[str, str]]:
    """Parse CSV text (inputs or truth) into dict rows."""
    return list(csv.DictReader(io.StringIO(text)))

"""`revops.yml`: one validated configuration file (path overridable by `REVOPS_CONFIG`).

Secrets never live here: credentials come from the environment or a `.env` file (see `revops.env`).
An invalid file fails at start with the key, the value and what is allowed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml  # type: ignore[import-untyped]
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from revops.kpis import CATALOGUE, DEFAULT_HEADLINE

CANONICAL_STAGES = ("qualification", "demo", "proposal", "negotiation", "closed_won", "closed_lost")
SOURCES = ("salesforce", "hubspot", "pipedrive")
GRAINS = ("week", "month", "quarter")
SCOPE_TYPES = ("company", "team", "rep", "segment", "source", "manager")


def _known_kpi(name: str) -> str:
    if name not in CATALOGUE:
        raise ValueError(f"unknown KPI {name!r}; allowed: {', '.join(sorted(CATALOGUE))}")
    return name


class ConfigError(Exception):
    """The configuration file is missing or invalid; the message says where and how to fix it."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class CompanyConfig(_Model):
    name: str = "My company"
    corporate_currency: str = "EUR"
    fiscal_year_start_month: int = Field(default=1, ge=1, le=12)
    timezone: str = "UTC"

    @field_validator("corporate_currency")
    @classmethod
    def _iso_currency(cls, v: str) -> str:
        if len(v) != 3 or not v.isalpha():
            raise ValueError("must be a 3-letter ISO 4217 code such as EUR or USD")
        return v.upper()


class WarehouseConfig(_Model):
    path: Path = Path("data/warehouse.duckdb")
    serving_path: Path = Path("data/serving/warehouse.duckdb")
    exports_dir: Path = Path("data/exports")
    data_dir: Path = Path("data")
    # days of meta.forecast_history kept before the newest as-of date; 0 keeps every forecast
    forecast_history_days: int = Field(default=730, ge=0)


class SalesforceConfig(_Model):
    enabled: bool = False
    objects: list[str] | None = None
    bulk_threshold: int = Field(default=20000, ge=0)
    api_budget_reserve: float = Field(default=0.1, ge=0, le=1)


class HubSpotConfig(_Model):
    enabled: bool = False
    objects: list[str] | None = None


class PipedriveConfig(_Model):
    enabled: bool = False
    objects: list[str] | None = None


class FilesConfig(_Model):
    enabled: bool = True
    folder: Path = Path("data/inputs")


class SourcesConfig(_Model):
    salesforce: SalesforceConfig = Field(default_factory=SalesforceConfig)
    hubspot: HubSpotConfig = Field(default_factory=HubSpotConfig)
    pipedrive: PipedriveConfig = Field(default_factory=PipedriveConfig)
    files: FilesConfig = Field(default_factory=FilesConfig)

    def enabled_crms(self) -> list[str]:
        return [s for s in SOURCES if getattr(self, s).enabled]


class SyncConfig(_Model):
    overlap_minutes: int = Field(default=10, ge=0, le=24 * 60)


class TargetConfig(_Model):
    kpi: str
    grain: Literal["week", "month", "quarter"] = "quarter"
    scope_type: Literal["company", "team", "rep", "segment", "source", "manager"] = "company"
    scope_id: str = "all"
    target: float

    @field_validator("kpi")
    @classmethod
    def _known(cls, v: str) -> str:
        return _known_kpi(v)


class KpiConfig(_Model):
    headline: list[str] = Field(default_factory=lambda: list(DEFAULT_HEADLINE))
    targets: list[TargetConfig] = Field(default_factory=list)
    targets_file: Path | None = None
    amber_share: float = Field(default=0.9, gt=0, lt=1)
    actions: dict[str, dict[Literal["red", "amber", "green"], str]] = Field(default_factory=dict)

    @field_validator("headline")
    @classmethod
    def _headline(cls, v: list[str]) -> list[str]:
        for k in v:
            _known_kpi(k)
        if not 1 <= len(v) <= 7:
            raise ValueError(f"has {len(v)} KPIs; keep the headline set small: 1 to 7 KPIs")
        return v

    @field_validator("actions")
    @classmethod
    def _actions(cls, v: dict[str, Any]) -> dict[str, Any]:
        for k in v:
            _known_kpi(k)
        return v


class SegmentConfig(_Model):
    smb_max_employees: int = Field(default=200, gt=0)
    mid_market_max_employees: int = Field(default=1000, gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> SegmentConfig:
        if self.mid_market_max_employees <= self.smb_max_employees:
            raise ValueError("mid_market_max_employees must be greater than smb_max_employees")
        return self


class TeamHealthConfig(_Model):
    min_survey_respondents: int = Field(default=5, ge=1)
    small_team_threshold: int = Field(default=8, ge=1)
    ramp_share: float = Field(default=0.8, gt=0, le=1)
    sdr_monthly_meeting_target: float = Field(default=20, gt=0)
    impact_window_days: int = Field(default=180, ge=30)
    min_deals_per_side: int = Field(default=20, ge=1)


class ForecastConfig(_Model):
    simulations: int = Field(default=5000, ge=100)
    backtest_periods: int = Field(default=6, ge=1)
    seed: int = 0


class ReportsConfig(_Model):
    output_dir: Path = Path("data/reports")
    top_movers: int = Field(default=3, ge=1)


class SchedulesConfig(_Model):
    enabled: bool = True
    sync_cron: str = "0 * * * *"
    build_cron: str = "30 2 * * *"
    weekly_report_cron: str = "0 7 * * 1"
    monthly_report_cron: str = "0 7 1 * *"
    quarterly_report_cron: str = "0 8 1 * *"  # runs monthly; only the first month of a quarter reports
    timezone: str = "UTC"


class SandboxConfig(_Model):
    seed: int = 42
    size: Literal["tiny", "small", "large"] = "small"
    as_of: date | None = None
    # A staged change in the simulated future that `sandbox step` reveals (see sandbox/generator/README.md).
    scenario: Literal["conversion_drop"] | None = None


class RevopsConfig(_Model):
    company: CompanyConfig = Field(default_factory=CompanyConfig)
    warehouse: WarehouseConfig = Field(default_factory=WarehouseConfig)
    sources: SourcesConfig = Field(default_factory=SourcesConfig)
    sync: SyncConfig = Field(default_factory=SyncConfig)
    stages: dict[str, dict[str, dict[str, str]]] = Field(default_factory=dict)
    segments: SegmentConfig = Field(default_factory=SegmentConfig)
    kpis: KpiConfig = Field(default_factory=KpiConfig)
    alerts: dict[str, Any] = Field(default_factory=dict)
    team_health: TeamHealthConfig = Field(default_factory=TeamHealthConfig)
    forecast: ForecastConfig = Field(default_factory=ForecastConfig)
    reports: ReportsConfig = Field(default_factory=ReportsConfig)
    schedules: SchedulesConfig = Field(default_factory=SchedulesConfig)
    sandbox: SandboxConfig | None = None

    # where the file was read from; relative paths resolve against its folder
    base_dir: Path = Field(default=Path("."), exclude=True)

    @field_validator("stages")
    @classmethod
    def _stages(cls, v: dict[str, dict[str, dict[str, str]]]) -> dict[str, dict[str, dict[str, str]]]:
        for source, pipelines in v.items():
            if source not in SOURCES:
                raise ValueError(f"unknown source {source!r}; allowed: {', '.join(SOURCES)}")
            for pipeline, mapping in pipelines.items():
                for stage, canonical in mapping.items():
                    if canonical not in CANONICAL_STAGES:
                        raise ValueError(
                            f"{source}.{pipeline}.{stage}: {canonical!r} is not a canonical stage; "
                            f"allowed: {', '.join(CANONICAL_STAGES)}"
                        )
        return v

    @model_validator(mode="after")
    def _stage_mapping_for_enabled_sources(self) -> RevopsConfig:
        for source in self.sources.enabled_crms():
            if not self.stages.get(source):
                raise ValueError(
                    f"sources.{source} is enabled but stages.{source} maps no pipeline stage; map every "
                    "stage of every pipeline to a canonical stage"
                )
        return self

    def resolve(self, path: Path) -> Path:
        """A configured path made absolute against the config file's folder."""
        return path if path.is_absolute() else (self.base_dir / path).resolve()

    @property
    def warehouse_path(self) -> Path:
        return self.resolve(self.warehouse.path)

    @property
    def data_dir(self) -> Path:
        return self.resolve(self.warehouse.data_dir)

    def stage_mapping_rows(self) -> list[dict[str, str]]:
        return [
            {"source": s, "pipeline": p, "source_stage": st, "canonical_stage": c}
            for s, pipes in self.stages.items()
            for p, mapping in pipes.items()
            for st, c in mapping.items()
        ]


def default_config_path() -> Path:
    return Path(os.environ.get("REVOPS_CONFIG", "revops.yml"))


def _format_errors(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: invalid configuration ({exc.error_count()} problem(s)):"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        value = err.get("input")
        shown = repr(value) if not isinstance(value, dict) else "{…}"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            parent = ".".join(str(p) for p in err["loc"][:-1])
            msg = f"unknown key; check the spelling against the keys allowed under {parent or 'the top level'}"
        elif err["type"] == "literal_error":
            msg = f"not allowed; {msg}"
        elif err["type"].startswith(("date_", "datetime_")):
            msg = f"{msg}; write a real calendar date as YYYY-MM-DD"
        lines.append(f"  - {key} = {shown}: {msg}")
    lines.append("See revops.example.yml for every key with its meaning.")
    return "\n".join(lines)


class _DuplicateKey(Exception):
    """A key written twice in the same mapping (YAML keeps the last one without a word)."""

    def __init__(self, key: Any, first_line: int, line: int) -> None:
        super().__init__(f"{key!r} at line {line} repeats line {first_line}")
        self.key = key
        self.first_line = first_line
        self.line = line


def _mapping(loader: Any, node: Any) -> Iterator[dict[Any, Any]]:
    """PyYAML's mapping constructor, after refusing a key written twice (PyYAML keeps the last)."""
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue  # `<<` merges may be overridden on purpose; unhashable keys fail in PyYAML
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise _DuplicateKey(key, seen[key], line)
        seen[key] = line
    yield from yaml.SafeLoader.construct_yaml_map(loader, node)


def _timestamp_as_text(loader: Any, node: Any) -> str:
    """Dates stay strings so the models parse them: an impossible date such as 2026-02-30 is then a
    validation error naming its key, instead of a bare ValueError from inside PyYAML."""
    return str(loader.construct_scalar(node))


# `yaml.SafeLoader` with the two constructors above (a subclass, so the global loader is unchanged).
_Loader: Any = type("ConfigLoader", (yaml.SafeLoader,), {})
_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _read_text(path: Path) -> str:
    """The file's text, or a ConfigError saying why it cannot be read and what to do."""
    if path.is_dir():
        raise ConfigError(
            f"{path}: is a folder, not a configuration file. Point REVOPS_CONFIG (or the path given "
            "to the command) at the revops.yml file itself."
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot be read ({exc.strerror or exc}). Check the file's permissions, or point "
            "REVOPS_CONFIG at a readable copy."
        ) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}). Save the file with "
            "the UTF-8 encoding (most editors offer it under 'Save with encoding')."
        ) from exc


def load_config(path: Path | str | None = None) -> RevopsConfig:
    """Read and validate `revops.yml`; raise ConfigError naming the key, the value and what is allowed."""
    path = Path(path) if path is not None else default_config_path()
    if not path.exists():
        raise ConfigError(
            f"{path}: configuration file not found. Copy revops.example.yml to revops.yml (or set "
            "REVOPS_CONFIG to your file's path)."
        )
    text = _read_text(path)
    try:
        data = yaml.load(text, Loader=_Loader) or {}  # noqa: S506 - a SafeLoader subclass
    except _DuplicateKey as exc:
        raise ConfigError(
            f"{path}: line {exc.line}: the key {exc.key!r} is written twice (first on line "
            f"{exc.first_line}); YAML would keep only the last one and drop the other without a word. "
            "Merge the two into one."
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from exc
    except (ValueError, RecursionError) as exc:  # a value PyYAML's constructors refuse outside YAMLError
        raise ConfigError(f"{path}: not valid YAML: {exc}. Check the values written in the file.") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections (company:, sources:, …)")
    try:
        config = RevopsConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(path, exc)) from exc
    _validate_alerts(path, config)
    config.base_dir = path.resolve().parent
    return config


def _validate_alerts(path: Path, config: RevopsConfig) -> None:
    """The `alerts:` section has its own model (revops.alerts); its errors read like the others."""
    from revops.alerts import AlertsConfig

    try:
        AlertsConfig.model_validate(
            {"fiscal_year_start_month": config.company.fiscal_year_start_month, **config.alerts})
    except ValidationError as exc:
        text = _format_errors(path, exc).replace("\n  - ", "\n  - alerts.")
        raise ConfigError(text) from exc

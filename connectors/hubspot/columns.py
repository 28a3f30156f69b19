"""Column hints of the raw HubSpot tables whose shape the connector fixes (all but the CRM objects,
whose columns follow the properties API), and the merge rule for child rows."""

from __future__ import annotations

from dlt.common.schema.typing import TColumnSchema, TDeleteInsertStrategyDict

# Child rows of a re-read parent replace its earlier ones: rows sharing the merge key are deleted first,
# and a row with `is_deleted = true` only deletes (it is not stored).
REPLACE_CHILDREN: TDeleteInsertStrategyDict = {"disposition": "merge", "strategy": "delete-insert"}
TOMBSTONE: TColumnSchema = {"data_type": "bool", "hard_delete": True}


def columns(spec: str, **special: TColumnSchema) -> dict[str, TColumnSchema]:
    """Column hints from "name:type ..." so columns that are null in every row still exist."""
    out: dict[str, TColumnSchema] = {}
    for item in spec.split():
        name, kind = item.split(":")
        out[name] = {"data_type": kind, "nullable": True}  # type: ignore[typeddict-item]
    for name, hint in special.items():
        out[name] = {**out.get(name, {}), **hint}
    return out


OWNER_COLUMNS = columns(
    "id:text email:text type:text first_name:text last_name:text user_id:bigint "
    "user_id_including_inactive:bigint created_at:timestamp updated_at:timestamp "
    "archived:bool is_deleted:bool"
)
TEAM_COLUMNS = columns(
    "owner_id:text team_id:text team_name:text primary:bool is_deleted:bool", is_deleted=TOMBSTONE
)
PIPELINE_COLUMNS = columns(
    "id:text label:text display_order:bigint created_at:timestamp updated_at:timestamp "
    "archived:bool is_deleted:bool"
)
STAGE_COLUMNS = columns(
    "pipeline_id:text stage_id:text label:text display_order:bigint probability:double "
    "is_closed:bool created_at:timestamp updated_at:timestamp archived:bool is_deleted:bool"
)
ASSOCIATION_COLUMNS = columns(
    "from_object_type:text from_id:text to_object_type:text to_id:text type_id:bigint "
    "category:text label:text is_deleted:bool",
    is_deleted=TOMBSTONE,
)


def history_columns(key: str) -> dict[str, TColumnSchema]:
    """Column hints of a property-history table keyed by `key`."""
    return columns(
        f"{key}:text value:text timestamp:timestamp source_type:text source_id:text "
        "updated_by_user_id:bigint is_deleted:bool"
    )

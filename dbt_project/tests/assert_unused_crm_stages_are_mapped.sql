{{ config(severity='warn', tags=['stage_mapping']) }}
-- CRM stages that no deal has used yet but that have no canonical stage: harmless today, an error
-- as soon as a deal enters one. Listed so the mapping can be completed ahead of time.

select
    source,
    coalesce(pipeline_label, pipeline_key) as pipeline,
    coalesce(stage_label, stage_key) as stage
from {{ ref('int_deal_stages_mapped') }}
where not is_used and canonical_stage is null

-- Every CRM stage (from the CRMs' stage lists and from the stages deals actually used, now or in
-- their history) with its canonical stage from revops.yml. A config row matches a stage by id or by
-- label, case-insensitively, and a pipeline by id, label or `*`; ids win over labels.
-- Pipedrive stage ids are global, so its stages are looked up by id alone (`lookup_pipeline_key`
-- is `*`); won and lost come from the deal status, not from a stage.

with

catalogue as (

    select
        'salesforce' as source,
        'default' as pipeline_key,
        'default' as pipeline_label,
        api_name as stage_key,
        stage_label,
        default_probability as stage_probability,
        sort_order as display_order
    from {{ ref('stg_salesforce__opportunity_stages') }}
    where api_name is not null

    union all

    select
        'hubspot' as source,
        stages.pipeline_id as pipeline_key,
        pipelines.pipeline_label,
        stages.stage_id as stage_key,
        stages.stage_label,
        stages.probability as stage_probability,
        stages.display_order
    from {{ ref('stg_hubspot__deal_stages') }} as stages
    left join {{ ref('stg_hubspot__deal_pipelines') }} as pipelines
        on stages.pipeline_id = pipelines.pipeline_id

    union all

    select
        'pipedrive' as source,
        stages.pipeline_id as pipeline_key,
        pipelines.pipeline_name as pipeline_label,
        stages.stage_id as stage_key,
        stages.stage_name as stage_label,
        stages.deal_probability as stage_probability,
        stages.order_nr as display_order
    from {{ ref('stg_pipedrive__stages') }} as stages
    left join {{ ref('stg_pipedrive__pipelines') }} as pipelines
        on stages.pipeline_id = pipelines.pipeline_id

),

catalogue_keyed as (

    select
        *,
        case when source = 'pipedrive' then '*' else pipeline_key end as lookup_pipeline_key
    from catalogue

),

deals as (

    select
        deal_id,
        source,
        pipeline_key,
        stage_key
    from {{ ref('int_deals_unioned') }}

),

used as (

    select
        source,
        pipeline_key,
        stage_key
    from deals
    where stage_key is not null
    union
    select
        deals.source,
        deals.pipeline_key,
        changes.new_value as stage_key
    from {{ ref('int_deal_changes_unioned') }} as changes
    inner join deals on changes.deal_id = deals.deal_id
    where changes.field = 'stage_key' and changes.new_value is not null

),

used_keyed as (

    select distinct
        source,
        case when source = 'pipedrive' then '*' else pipeline_key end as lookup_pipeline_key,
        pipeline_key,
        stage_key
    from used

),

stages as (

    -- catalogue stages, plus used stages the catalogue does not list
    select
        source,
        lookup_pipeline_key,
        pipeline_key,
        pipeline_label,
        stage_key,
        stage_label,
        stage_probability,
        display_order,
        true as is_in_catalogue
    from catalogue_keyed
    union all
    select
        used_keyed.source,
        used_keyed.lookup_pipeline_key,
        min(used_keyed.pipeline_key) as pipeline_key,
        cast(null as {{ dbt.type_string() }}) as pipeline_label,
        used_keyed.stage_key,
        cast(null as {{ dbt.type_string() }}) as stage_label,
        cast(null as {{ revops.type_double() }}) as stage_probability,
        cast(null as {{ dbt.type_int() }}) as display_order,
        false as is_in_catalogue
    from used_keyed
    left join catalogue_keyed
        on used_keyed.source = catalogue_keyed.source
            and used_keyed.lookup_pipeline_key = catalogue_keyed.lookup_pipeline_key
            and used_keyed.stage_key = catalogue_keyed.stage_key
    where catalogue_keyed.stage_key is null
    group by used_keyed.source, used_keyed.lookup_pipeline_key, used_keyed.stage_key

),

stages_flagged as (

    select
        stages.*,
        exists(
            select 1 from used_keyed
            where used_keyed.source = stages.source
                and used_keyed.lookup_pipeline_key = stages.lookup_pipeline_key
                and used_keyed.stage_key = stages.stage_key
        ) as is_used
    from stages

),

config as (

    select
        lower(trim(source)) as source,
        lower(trim(pipeline)) as config_pipeline,
        lower(trim(source_stage)) as config_stage,
        lower(trim(canonical_stage)) as canonical_stage
    from {{ ref('stg_inputs__config_stage_mapping') }}

),

matched as (

    select
        stages_flagged.source,
        stages_flagged.lookup_pipeline_key,
        stages_flagged.stage_key,
        config.canonical_stage,
        row_number() over (
            partition by stages_flagged.source, stages_flagged.lookup_pipeline_key, stages_flagged.stage_key
            order by
                case when config.config_stage = lower(stages_flagged.stage_key) then 0 else 1 end,
                case
                    when config.config_pipeline = lower(stages_flagged.pipeline_key) then 0
                    when config.config_pipeline = '*' then 2
                    else 1
                end,
                config.canonical_stage
        ) as preference
    from stages_flagged
    inner join config
        on stages_flagged.source = config.source
            and config.config_stage in (lower(stages_flagged.stage_key), lower(stages_flagged.stage_label))
            and config.config_pipeline in (
                lower(stages_flagged.pipeline_key), lower(stages_flagged.pipeline_label), '*'
            )

)

select
    stages_flagged.source,
    stages_flagged.lookup_pipeline_key,
    stages_flagged.pipeline_key,
    stages_flagged.pipeline_label,
    stages_flagged.stage_key,
    stages_flagged.stage_label,
    stages_flagged.stage_probability,
    stages_flagged.display_order,
    stages_flagged.is_in_catalogue,
    stages_flagged.is_used,
    matched.canonical_stage,
    canonical.stage_order
from stages_flagged
left join matched
    on stages_flagged.source = matched.source
        and stages_flagged.lookup_pipeline_key = matched.lookup_pipeline_key
        and stages_flagged.stage_key = matched.stage_key
        and matched.preference = 1
left join {{ ref('canonical_stages') }} as canonical
    on matched.canonical_stage = canonical.stage

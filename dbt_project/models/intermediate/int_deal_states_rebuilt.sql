-- Every state each deal has been in, rebuilt from the CRMs' history: one row per deal and moment a
-- tracked field changed, with all fields as they stood from `valid_from` until `valid_to` (NULL for
-- the current state). Fields the history does not cover keep the deal's current value; a last
-- "anchor" state at the deal's last modification reconciles the history with the current record
-- when the two disagree. Consecutive identical states are merged.

with

settings as (

    select * from {{ ref('int_settings_resolved') }}

),

deals as (

    select * from {{ ref('int_deals_unioned') }}

),

changes as (

    select * from {{ ref('int_deal_changes_unioned') }}

),

deal_bounds as (

    select
        deals.deal_id,
        deals.source,
        deals.pipeline_key,
        deals.updated_at,
        coalesce(
            case
                when min(changes.changed_at) is null then deals.created_at
                when deals.created_at is null then min(changes.changed_at)
                when min(changes.changed_at) < deals.created_at then min(changes.changed_at)
                else deals.created_at
            end,
            deals.updated_at,
            cast(settings.as_of_date as {{ dbt.type_timestamp() }})
        ) as started_at,
        max(changes.changed_at) as last_changed_at,
        count(changes.deal_id) as history_rows
    from deals
    cross join settings
    left join changes
        on deals.deal_id = changes.deal_id
    group by deals.deal_id, deals.source, deals.pipeline_key, deals.updated_at, deals.created_at, settings.as_of_date

),

current_values as (

    -- the deal record as it is now, one row per tracked field
    {% set current_fields = [
        ('stage_key', 'stage_key', none),
        ('status', 'source_status', "source = 'pipedrive'"),
        ('amount', 'amount', none),
        ('expected_close_date', 'expected_close_date', none),
        ('probability', 'probability', "source in ('salesforce', 'pipedrive')"),
        ('forecast_category', 'source_forecast_category', "source in ('salesforce', 'hubspot')"),
    ] %}
    {% for field, column, condition in current_fields %}
        select
            deal_id,
            '{{ field }}' as field,
            cast({{ column }} as {{ dbt.type_string() }}) as field_value
        from deals
        {% if condition %}where {{ condition }}{% endif %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

history_fields as (

    select distinct
        deal_id,
        field
    from changes

),

events as (

    -- what the history says
    select
        changes.deal_id,
        case when changes.is_initial then deal_bounds.started_at else changes.changed_at end as valid_from,
        case when changes.is_initial then 0 else 1 end as event_rank,
        changes.change_order,
        changes.field,
        changes.new_value as field_value
    from changes
    inner join deal_bounds
        on changes.deal_id = deal_bounds.deal_id

    union all

    -- fields without any history keep their current value from the start
    select
        current_values.deal_id,
        deal_bounds.started_at as valid_from,
        0 as event_rank,
        0 as change_order,
        current_values.field,
        current_values.field_value
    from current_values
    inner join deal_bounds
        on current_values.deal_id = deal_bounds.deal_id
    left join history_fields
        on current_values.deal_id = history_fields.deal_id
            and current_values.field = history_fields.field
    where history_fields.deal_id is null

    union all

    -- the anchor: the current record, at its last modification (never before the last change)
    select
        current_values.deal_id,
        case
            when deal_bounds.updated_at is null or deal_bounds.updated_at < deal_bounds.last_changed_at
                then deal_bounds.last_changed_at
            else deal_bounds.updated_at
        end as valid_from,
        2 as event_rank,
        0 as change_order,
        current_values.field,
        current_values.field_value
    from current_values
    inner join deal_bounds
        on current_values.deal_id = deal_bounds.deal_id
    where deal_bounds.history_rows > 0

),

events_ranked as (

    select
        *,
        row_number() over (
            partition by deal_id, valid_from, field
            order by event_rank desc, change_order desc
        ) as recency
    from events

),

moments as (

    select
        deal_id,
        valid_from,
        max(case when field = 'stage_key' then field_value end) as stage_key,
        max(case when field = 'status' then field_value end) as status_value,
        max(case when field = 'amount' then field_value end) as amount_value,
        max(case when field = 'expected_close_date' then field_value end) as expected_close_value,
        max(case when field = 'probability' then field_value end) as probability_value,
        max(case when field = 'forecast_category' then field_value end) as forecast_category_value
    from events_ranked
    where recency = 1
    group by deal_id, valid_from

),

{% set filled = ['stage_key', 'status_value', 'amount_value', 'expected_close_value', 'probability_value',
                 'forecast_category_value'] %}

fill_groups as (

    -- forward fill without IGNORE NULLS: each non-null value opens a group the next NULLs join
    select
        *,
        {% for column in filled %}
            count({{ column }}) over (
                partition by deal_id order by valid_from rows between unbounded preceding and current row
            ) as {{ column }}_group{% if not loop.last %},{% endif %}
        {% endfor %}
    from moments

),

filled as (

    select
        deal_id,
        valid_from,
        {% for column in filled %}
            max({{ column }}) over (partition by deal_id, {{ column }}_group)
                as {{ column }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from fill_groups

),

typed as (

    select
        filled.deal_id,
        deal_bounds.source,
        filled.valid_from,
        filled.stage_key,
        case when deal_bounds.source = 'pipedrive' then '*' else deal_bounds.pipeline_key end as lookup_pipeline_key,
        lower(filled.status_value) as source_status,
        {{ dbt.safe_cast('filled.amount_value', revops.type_double()) }} as amount,
        {{ revops.to_date('filled.expected_close_value') }} as expected_close_date,
        {{ dbt.safe_cast('filled.probability_value', revops.type_double()) }} as source_probability,
        filled.forecast_category_value as source_forecast_category
    from filled
    inner join deal_bounds
        on filled.deal_id = deal_bounds.deal_id

),

mapped as (

    select
        typed.*,
        stages.stage_label as source_stage,
        case
            when typed.source = 'pipedrive' and typed.source_status = 'won' then 'closed_won'
            when typed.source = 'pipedrive' and typed.source_status = 'lost' then 'closed_lost'
            else stages.canonical_stage
        end as stage,
        stages.stage_probability
    from typed
    left join {{ ref('int_deal_stages_mapped') }} as stages
        on typed.source = stages.source
            and typed.lookup_pipeline_key = stages.lookup_pipeline_key
            and typed.stage_key = stages.stage_key

),

canonical as (

    select
        mapped.deal_id,
        mapped.source,
        mapped.valid_from,
        mapped.stage_key,
        coalesce(mapped.source_stage, mapped.stage_key) as source_stage,
        mapped.source_status,
        mapped.stage,
        canonical_stages.stage_order,
        coalesce(canonical_stages.status, 'open') as status,
        mapped.amount,
        mapped.expected_close_date,
        case
            when mapped.stage = 'closed_won' then 1.0
            when mapped.stage = 'closed_lost' then 0.0
            else coalesce(mapped.source_probability, mapped.stage_probability)
        end as probability,
        case
            when mapped.stage = 'closed_won' then 'closed'
            when mapped.stage = 'closed_lost' then 'omitted'
            else coalesce(
                    {{ revops.normalise_forecast_category('mapped.source_forecast_category') }},
                    canonical_stages.default_forecast_category
                )
        end as forecast_category
    from mapped
    left join {{ ref('canonical_stages') }} as canonical_stages
        on mapped.stage = canonical_stages.stage

),

compared as (

    select
        *,
        lag(stage_key) over (partition by deal_id order by valid_from) as previous_stage_key,
        lag(source_status) over (partition by deal_id order by valid_from) as previous_source_status,
        lag(amount) over (partition by deal_id order by valid_from) as previous_amount,
        lag(expected_close_date) over (partition by deal_id order by valid_from) as previous_expected_close_date,
        lag(probability) over (partition by deal_id order by valid_from) as previous_probability,
        lag(forecast_category) over (partition by deal_id order by valid_from) as previous_forecast_category,
        row_number() over (partition by deal_id order by valid_from) as moment_number
    from canonical

),

distinct_states as (

    select *
    from compared
    where moment_number = 1
        or stage_key is distinct from previous_stage_key
        or source_status is distinct from previous_source_status
        or amount is distinct from previous_amount
        or expected_close_date is distinct from previous_expected_close_date
        or probability is distinct from previous_probability
        or forecast_category is distinct from previous_forecast_category

)

select
    {{ revops.hash_key(['deal_id', 'valid_from']) }} as deal_state_id,
    deal_id,
    source,
    valid_from,
    lead(valid_from) over (partition by deal_id order by valid_from) as valid_to,
    row_number() over (partition by deal_id order by valid_from) as state_number,
    stage_key,
    source_stage,
    source_status,
    stage,
    stage_order,
    status,
    amount,
    expected_close_date,
    probability,
    forecast_category
from distinct_states

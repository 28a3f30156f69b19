-- The CRMs' own deal history as one change log: one row per change of a tracked field, plus one
-- `is_initial` row per deal and field holding the value the deal started with. Values are text.
-- Fields: stage_key (the CRM's stage id/name), status (Pipedrive only: won/lost live there),
-- amount, expected_close_date, probability (0-1), forecast_category (Salesforce only).
--   Salesforce: OpportunityHistory rows are snapshots of all fields; a change is a field that
--               differs from the previous snapshot.
--   HubSpot:    the `dealstage` property history, and the `amount` and `closedate` histories when
--               the connector lands them (else those fields keep the deal's current value).
--   Pipedrive:  the deal flow, whose rows are changes with old and new values; the first change's
--               old value is the value at creation.

with

deals as (

    select
        deal_id,
        source,
        source_deal_id
    from {{ ref('int_deals_unioned') }}

),

-- Salesforce ----------------------------------------------------------------------------------

salesforce_snapshots as (

    select
        deals.deal_id,
        history.created_at as changed_at,
        history.opportunity_history_id as change_key,
        cast(history.stage_name as {{ dbt.type_string() }}) as stage_key,
        cast(history.amount as {{ dbt.type_string() }}) as amount,
        cast(history.close_date as {{ dbt.type_string() }}) as expected_close_date,
        cast(history.probability as {{ dbt.type_string() }}) as probability,
        cast(history.forecast_category as {{ dbt.type_string() }}) as forecast_category
    from {{ ref('stg_salesforce__opportunity_history') }} as history
    inner join deals
        on history.opportunity_id = deals.source_deal_id
            and deals.source = 'salesforce'

),

salesforce_sequenced as (

    select
        *,
        row_number() over (partition by deal_id order by changed_at, change_key) as change_order,
        lag(stage_key) over (partition by deal_id order by changed_at, change_key) as previous_stage_key,
        lag(amount) over (partition by deal_id order by changed_at, change_key) as previous_amount,
        lag(expected_close_date) over (partition by deal_id order by changed_at, change_key)
            as previous_expected_close_date,
        lag(probability) over (partition by deal_id order by changed_at, change_key) as previous_probability,
        lag(forecast_category) over (partition by deal_id order by changed_at, change_key)
            as previous_forecast_category
    from salesforce_snapshots

),

salesforce_changes as (

    {% set sf_fields = ['stage_key', 'amount', 'expected_close_date', 'probability', 'forecast_category'] %}
    {% for field in sf_fields %}
        select
            deal_id,
            changed_at,
            change_order,
            '{{ field }}' as field,
            previous_{{ field }} as old_value,
            {{ field }} as new_value,
            change_order = 1 as is_initial
        from salesforce_sequenced
        where change_order = 1 or {{ field }} is distinct from previous_{{ field }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- HubSpot -------------------------------------------------------------------------------------

hubspot_history as (

    -- dealstage always; amount and closedate when the connector lands their property history
    select
        deal_id,
        changed_at,
        'stage_key' as field,
        stage_id as field_value
    from {{ ref('stg_hubspot__deal_stage_history') }}
    union all
    select
        deal_id,
        changed_at,
        'amount' as field,
        cast(amount as {{ dbt.type_string() }}) as field_value
    from {{ ref('stg_hubspot__deal_amount_history') }}
    union all
    select
        deal_id,
        changed_at,
        'expected_close_date' as field,
        cast(cast(close_at as date) as {{ dbt.type_string() }}) as field_value
    from {{ ref('stg_hubspot__deal_close_date_history') }}

),

hubspot_sequenced as (

    select
        deals.deal_id,
        history.changed_at,
        history.field,
        history.field_value,
        row_number() over (
            partition by deals.deal_id, history.field order by history.changed_at, history.field_value
        ) as change_order,
        lag(history.field_value) over (
            partition by deals.deal_id, history.field order by history.changed_at, history.field_value
        ) as previous_value
    from hubspot_history as history
    inner join deals
        on history.deal_id = deals.source_deal_id
            and deals.source = 'hubspot'
    where history.field_value is not null

),

hubspot_changes as (

    select
        deal_id,
        changed_at,
        change_order,
        field,
        previous_value as old_value,
        field_value as new_value,
        change_order = 1 as is_initial
    from hubspot_sequenced
    where change_order = 1 or field_value is distinct from previous_value

),

-- Pipedrive -----------------------------------------------------------------------------------

pipedrive_flow as (

    {%- set double_type = revops.type_double() %}
    {%- set text_type = dbt.type_string() %}
    select
        deals.deal_id,
        flow.changed_at,
        case flow.field_key
            when 'stage_id' then 'stage_key'
            when 'value' then 'amount'
            else flow.field_key
        end as field,
        case
            when flow.field_key = 'probability'
                then cast({{ dbt.safe_cast('flow.old_value', double_type) }} / 100.0 as {{ text_type }})
            else flow.old_value
        end as old_value,
        case
            when flow.field_key = 'probability'
                then cast({{ dbt.safe_cast('flow.new_value', double_type) }} / 100.0 as {{ text_type }})
            else flow.new_value
        end as new_value,
        row_number() over (
            partition by deals.deal_id
            order by flow.changed_at, {{ dbt.safe_cast('flow.deal_change_id', dbt.type_bigint()) }}, flow.deal_change_id
        ) as change_order
    from {{ ref('stg_pipedrive__deal_flow') }} as flow
    inner join deals
        on flow.deal_id = deals.source_deal_id
            and deals.source = 'pipedrive'
    where flow.field_key in ('stage_id', 'value', 'expected_close_date', 'status', 'probability')

),

pipedrive_first as (

    select
        *,
        row_number() over (partition by deal_id, field order by change_order) as field_order
    from pipedrive_flow

),

pipedrive_changes as (

    -- the value each field had when the deal was created (time filled in downstream)
    select
        deal_id,
        cast(null as {{ dbt.type_timestamp() }}) as changed_at,
        0 as change_order,
        field,
        cast(null as {{ dbt.type_string() }}) as old_value,
        old_value as new_value,
        true as is_initial
    from pipedrive_first
    where field_order = 1
    union all
    select
        deal_id,
        changed_at,
        change_order,
        field,
        old_value,
        new_value,
        false as is_initial
    from pipedrive_flow

)

select
    deal_id,
    'salesforce' as source,
    changed_at,
    change_order,
    field,
    old_value,
    new_value,
    is_initial
from salesforce_changes
union all
select
    deal_id,
    'hubspot' as source,
    changed_at,
    change_order,
    field,
    old_value,
    new_value,
    is_initial
from hubspot_changes
union all
select
    deal_id,
    'pipedrive' as source,
    changed_at,
    change_order,
    field,
    old_value,
    new_value,
    is_initial
from pipedrive_changes

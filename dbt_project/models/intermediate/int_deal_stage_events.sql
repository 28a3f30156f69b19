-- Entries of deals into canonical stages, from the rebuilt states: one row each time a deal's
-- canonical stage changed (moves between two CRM stages mapped to the same canonical stage are not
-- entries). Skips and backward moves compare with the last stage that was not closed_lost, so a
-- reopened lost deal returning to where it was lost from is neither.

with

settings as (

    select as_of_date from {{ ref('int_settings_resolved') }}

),

states as (

    select
        *,
        lag(stage) over (partition by deal_id order by valid_from) as previous_state_stage
    from {{ ref('int_deal_states_rebuilt') }}

),

entries as (

    select
        deal_id,
        source,
        stage,
        source_stage,
        stage_order,
        valid_from as entered_at
    from states
    where stage is not null
        and (previous_state_stage is null or stage <> previous_state_stage)

),

sequenced as (

    select
        *,
        lead(entered_at) over (partition by deal_id order by entered_at) as exited_at,
        lead(stage) over (partition by deal_id order by entered_at) as next_stage,
        lag(stage) over (partition by deal_id order by entered_at) as previous_stage,
        row_number() over (partition by deal_id order by entered_at) as entry_number,
        row_number() over (partition by deal_id, stage order by entered_at) as stage_entry_number
    from entries

),

progress as (

    select
        deal_id,
        entry_number,
        lag(stage_order) over (partition by deal_id order by entered_at) as previous_progress_order
    from sequenced
    where stage <> 'closed_lost'

)

select
    {{ revops.hash_key(['sequenced.deal_id', 'sequenced.entry_number']) }} as stage_event_id,
    sequenced.deal_id,
    sequenced.source,
    sequenced.stage,
    sequenced.source_stage,
    sequenced.stage_order,
    sequenced.entered_at,
    sequenced.exited_at,
    sequenced.next_stage,
    sequenced.previous_stage,
    sequenced.entry_number,
    case
        when sequenced.exited_at is not null
            then {{ revops.days_between('sequenced.entered_at', 'sequenced.exited_at') }}
        when sequenced.stage in ('closed_won', 'closed_lost') then null
        else greatest(0.0, {{ revops.days_between(
            'sequenced.entered_at', 'cast(settings.as_of_date as ' ~ dbt.type_timestamp() ~ ')') }})
    end as days_in_stage,
    sequenced.stage_entry_number = 1 as is_first_entry,
    coalesce(
        progress.previous_progress_order is not null
        and sequenced.stage_order > progress.previous_progress_order + 1, false
    ) as is_skip,
    coalesce(
        progress.previous_progress_order is not null
        and sequenced.stage_order < progress.previous_progress_order, false
    ) as is_backward,
    coalesce(
        sequenced.previous_stage in ('closed_won', 'closed_lost')
        and sequenced.stage not in ('closed_won', 'closed_lost'), false
    ) as is_reopening
from sequenced
cross join settings
left join progress
    on sequenced.deal_id = progress.deal_id
        and sequenced.entry_number = progress.entry_number

-- One row per entry of a deal into a canonical stage (see int_deal_stage_events).

select
    events.stage_event_id,
    events.deal_id,
    events.source,
    events.stage,
    events.source_stage,
    events.stage_order,
    events.entered_at,
    events.exited_at,
    events.next_stage,
    events.days_in_stage,
    events.is_first_entry,
    events.is_skip,
    events.is_backward,
    events.is_reopening,
    events.entry_number
from {{ ref('int_deal_stage_events') }} as events
inner join {{ ref('fct_deals') }} as deals
    on events.deal_id = deals.deal_id

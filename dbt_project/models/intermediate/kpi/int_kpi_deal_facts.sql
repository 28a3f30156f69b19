-- The deal facts the KPIs need, one row per deal: the scopes it counts in (owner e-mail; team and
-- manager from the owner's HR roster record employed when the deal was created, else the latest;
-- account segment; CRM), its dates, its corporate amount, and the
-- first moment it reached each canonical stage. A deal reached stage k when it was first at any
-- stage at or after k (closed_lost aside): a skipped stage or a creation mid-funnel counts as
-- reached then, and a backward move undoes nothing.

with

deals as (

    select * from {{ ref('fct_deals') }}

),

entries as (

    select
        deal_id,
        stage,
        stage_order,
        entered_at
    from {{ ref('int_deal_stage_events') }}
    where stage <> 'closed_lost'

),

owner_teams as (

    {{ revops.roster_record_at('deals', 'deal_id', 'owner_email', 'created_date') }}

),

reached as (

    select
        deal_id,
        {% set stage_orders = [
            ('qualification', 1), ('demo', 2), ('proposal', 3), ('negotiation', 4), ('closed_won', 5)
        ] %}
        {% for stage, order in stage_orders %}
            min(case when stage_order >= {{ order }} then entered_at end)
                as reached_{{ stage }}_at{% if not loop.last %},{% endif %}
        {% endfor %}
    from entries
    group by deal_id

)

select
    deals.deal_id,
    deals.source,
    deals.owner_email as rep_scope_id,
    coalesce(owner_teams.team, deals.team) as team,
    coalesce(owner_teams.manager_email, deals.manager_email) as manager_scope_id,
    deals.segment,
    deals.account_id,
    deals.status,
    deals.created_date,
    deals.closed_date,
    deals.amount_corporate,
    -- win rates leave out deals whose creation date is unknown or after the close
    deals.status in ('won', 'lost')
    and deals.created_date is not null
    and deals.closed_date is not null
    and deals.created_date <= deals.closed_date as is_win_rate_eligible,
    case
        when deals.status = 'won' and deals.created_date <= deals.closed_date
            then {{ dbt.datediff('deals.created_date', 'deals.closed_date', 'day') }}
    end as cycle_days,
    {% for stage in ['qualification', 'demo', 'proposal', 'negotiation', 'closed_won'] %}
        cast(reached.reached_{{ stage }}_at as date) as reached_{{ stage }}_date{% if not loop.last %},{% endif %}
    {% endfor %}
from deals
left join owner_teams
    on deals.deal_id = owner_teams.fact_key
left join reached
    on deals.deal_id = reached.deal_id

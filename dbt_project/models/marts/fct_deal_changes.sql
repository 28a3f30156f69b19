-- One row per change of a deal's canonical stage, status, amount, expected close date or
-- probability, from the CRMs' history (see int_deal_states_rebuilt). Values are text; stages are
-- canonical stages, probabilities 0-1, dates ISO.

with

states as (

    select
        *,
        lag(stage) over (partition by deal_id order by valid_from) as previous_stage,
        lag(status) over (partition by deal_id order by valid_from) as previous_status,
        lag(amount) over (partition by deal_id order by valid_from) as previous_amount,
        lag(expected_close_date) over (partition by deal_id order by valid_from) as previous_expected_close_date,
        lag(probability) over (partition by deal_id order by valid_from) as previous_probability
    from {{ ref('int_deal_states_rebuilt') }}
    where deal_id in (select deals.deal_id from {{ ref('fct_deals') }} as deals)

),

{% set fields = [('stage', 'stage'), ('status', 'status'), ('amount', 'amount'),
                 ('expected_close_date', 'expected_close_date'), ('probability', 'probability')] %}

changes as (

    {% for field, column in fields %}
        select
            deal_id,
            source,
            valid_from as changed_at,
            '{{ field }}' as field,
            cast(previous_{{ column }} as {{ dbt.type_string() }}) as old_value,
            cast({{ column }} as {{ dbt.type_string() }}) as new_value
        from states
        where state_number > 1
            and {{ column }} is distinct from previous_{{ column }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    {{ revops.hash_key(['deal_id', 'changed_at', 'field']) }} as deal_change_id,
    deal_id,
    source,
    changed_at,
    field,
    old_value,
    new_value
from changes

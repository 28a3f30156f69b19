{#- Helpers for the KPI models: one fact row becomes one row per scope it counts in, and KPI rows
    share one shape. -#}

{% macro explode_scopes(relation, scope_types=['company', 'team', 'rep', 'manager', 'segment', 'source']) -%}
    {#- `relation` must have rep_scope_id, team, manager_scope_id, segment and source columns. -#}
    {%- set columns = {
        'company': "'all'",
        'team': "coalesce(team, 'unassigned')",
        'rep': "coalesce(rep_scope_id, 'unassigned')",
        'manager': "coalesce(manager_scope_id, 'unassigned')",
        'segment': "coalesce(segment, 'unknown')",
        'source': "source",
    } -%}
    {%- for scope_type in scope_types %}
    select
        '{{ scope_type }}' as scope_type,
        cast({{ columns[scope_type] }} as {{ dbt.type_string() }}) as scope_id,
        {{ relation }}.*
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{% macro kpi_row(kpi, value, numerator, denominator, is_small_sample='false', is_mature='is_complete') -%}
    {#- One KPI row from a CTE that has grain, period_start, period_end, scope_type, scope_id and
        is_complete. -#}
    select
        grain,
        period_start,
        period_end,
        scope_type,
        scope_id,
        {{ kpi }} as kpi,
        cast({{ value }} as {{ revops.type_double() }}) as value,
        cast({{ numerator }} as {{ revops.type_double() }}) as numerator,
        cast({{ denominator }} as {{ revops.type_double() }}) as denominator,
        coalesce({{ is_small_sample }}, false) as is_small_sample,
        {{ is_mature }} as is_mature
{%- endmacro %}


{% macro roster_record_at(facts, key_column, email_column, date_column) -%}
    {#- For each fact (one row per `key_column`), the team and manager of the HR roster record of its
        rep that was employed on the fact's date; else the last record hired before that date; else
        the latest record. Someone who left and was rehired into another team keeps the old team for
        what happened before. -#}
    select
        fact_key,
        team,
        manager_email
    from (
        select
            {{ facts }}.{{ key_column }} as fact_key,
            roster.team,
            roster.manager_email,
            row_number() over (
                partition by {{ facts }}.{{ key_column }}
                order by
                    case
                        when roster.hire_date <= {{ facts }}.{{ date_column }}
                            and (roster.exit_date is null or roster.exit_date >= {{ facts }}.{{ date_column }})
                            then 0
                        when roster.hire_date <= {{ facts }}.{{ date_column }} then 1
                        else 2
                    end,
                    roster.hire_date desc,
                    roster.employee_id desc
            ) as preference
        from {{ facts }}
        inner join {{ ref('stg_inputs__hr_roster') }} as roster
            on {{ facts }}.{{ email_column }} = roster.email
    ) as ranked
    where preference = 1
{%- endmacro %}

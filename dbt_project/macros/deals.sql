{#- Deal vocabulary shared by several models. -#}

{% macro normalise_forecast_category(expression) -%}
    {#- Salesforce API names and labels, HubSpot values -> pipeline, best_case, commit, closed,
        omitted (NULL when unknown). "Most Likely" sits between Best Case and Commit: not committed. -#}
    case replace(replace(lower(trim({{ expression }})), ' ', ''), '_', '')
        when 'pipeline' then 'pipeline'
        when 'bestcase' then 'best_case'
        when 'mostlikely' then 'best_case'
        when 'upside' then 'best_case'
        when 'commit' then 'commit'
        when 'forecast' then 'commit'
        when 'closed' then 'closed'
        when 'omitted' then 'omitted'
        when 'omit' then 'omitted'
    end
{%- endmacro %}


{% macro normalise_deal_type(expression) -%}
    {#- Salesforce Type, HubSpot dealtype, Pipedrive deal type field -> new_business, expansion,
        renewal. Anything not recognisably a renewal or an expansion is new business. -#}
    case
        when lower({{ expression }}) like '%renew%' then 'renewal'
        when lower({{ expression }}) like '%expan%'
            or lower({{ expression }}) like '%upsell%'
            or lower({{ expression }}) like '%upgrade%'
            or lower({{ expression }}) like '%cross%'
            or lower({{ expression }}) like '%add-on%'
            or lower({{ expression }}) like '%existing%'
            then 'expansion'
        else 'new_business'
    end
{%- endmacro %}


{% macro normalise_role(expression) -%}
    {#- HR or CRM role text -> sdr, ae, manager, vp, other. -#}
    case
        when {{ expression }} is null then null
        when lower({{ expression }}) in ('sdr', 'bdr') or lower({{ expression }}) like '%development rep%'
            or lower({{ expression }}) like '%sdr%' or lower({{ expression }}) like '%bdr%' then 'sdr'
        when lower({{ expression }}) like 'vp%' or lower({{ expression }}) like '%vice president%'
            or lower({{ expression }}) like '%head of%' or lower({{ expression }}) like '%director%'
            or lower({{ expression }}) in ('cro', 'chief revenue officer') then 'vp'
        when lower({{ expression }}) like '%manager%' or lower({{ expression }}) like '%team lead%'
            or lower({{ expression }}) = 'lead' then 'manager'
        when lower({{ expression }}) in ('ae', 'am') or lower({{ expression }}) like '%account exec%'
            or lower({{ expression }}) like '%account_exec%' or lower({{ expression }}) like '%account manager%'
            or lower({{ expression }}) like 'ae %' or lower({{ expression }}) like '% ae'
            or lower({{ expression }}) like '%sales rep%' then 'ae'
        else 'other'
    end
{%- endmacro %}


{% macro segment_from_employees(employees, smb_max_employees, mid_market_max_employees) -%}
    {#- smb below the first threshold, mid_market below the second, enterprise from there; NULL when
        the employee count is unknown (revops.yml `segments`). -#}
    case
        when {{ employees }} is null then null
        when {{ employees }} < {{ smb_max_employees }} then 'smb'
        when {{ employees }} < {{ mid_market_max_employees }} then 'mid_market'
        else 'enterprise'
    end
{%- endmacro %}

-- HubSpot associations with object types spelled one way (`deals`, `companies`, `contacts`, `calls`,
-- ...), whether the API gave names, singular names or numeric type ids, and both directions present.

with

associations as (

    select * from {{ ref('stg_hubspot__associations') }}

),

{#- each object type's spellings, as SQL literals: plural name, singular name, numeric type id -#}
{% set object_types = {
    'deals': "'deals', 'deal', '0-3'",
    'companies': "'companies', 'company', '0-2'",
    'contacts': "'contacts', 'contact', '0-1'",
    'calls': "'calls', 'call', '0-48'",
    'meetings': "'meetings', 'meeting', '0-47'",
    'emails': "'emails', 'email', '0-49'",
    'notes': "'notes', 'note', '0-46'",
    'tasks': "'tasks', 'task', '0-27'",
} %}

named as (

    select
        {% for side in ['from', 'to'] %}
            case
                {%- for name, spellings in object_types.items() %}
                    when lower({{ side }}_object_type) in ({{ spellings }}) then '{{ name }}'
                {%- endfor %}
                else lower({{ side }}_object_type)
            end as {{ side }}_object_type,
            {{ side }}_id,
        {% endfor %}
        association_type_id
    from associations

),

both_directions as (

    select
        from_object_type,
        from_id,
        to_object_type,
        to_id,
        association_type_id
    from named
    union
    select
        to_object_type,
        to_id,
        from_object_type,
        from_id,
        association_type_id
    from named

)

select * from both_directions

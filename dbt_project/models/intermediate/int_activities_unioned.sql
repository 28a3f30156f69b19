-- Sales activities of every CRM in one shape, typed with the activity_type_mapping seed:
-- call, meeting, email, proposal_sent, task, note.

with

mapping as (

    select
        source,
        source_object,
        lower(source_type) as source_type,
        activity_type
    from {{ ref('activity_type_mapping') }}

),

salesforce_tasks as (

    select
        'salesforce' as source,
        'task' as source_object,
        tasks.task_id as source_activity_id,
        coalesce(by_type.activity_type, by_subtype.activity_type, fallback.activity_type) as activity_type,
        -- ActivityDate is the day the call or e-mail happened; completion may be logged later
        coalesce(cast(tasks.activity_date as {{ dbt.type_timestamp() }}), tasks.completed_at, tasks.created_at)
            as occurred_at,
        tasks.owner_id as source_owner_id,
        case when tasks.what_id like '006%' then tasks.what_id end as source_deal_id,
        coalesce(tasks.account_id, case when tasks.what_id like '001%' then tasks.what_id end) as source_account_id,
        tasks.who_id as source_person_id,
        tasks.call_duration_seconds / 60.0 as duration_minutes,
        tasks.subject
    from {{ ref('stg_salesforce__tasks') }} as tasks
    left join mapping as by_type
        on by_type.source = 'salesforce' and by_type.source_object = 'task'
            and by_type.source_type = lower(tasks.task_type)
    left join mapping as by_subtype
        on by_subtype.source = 'salesforce' and by_subtype.source_object = 'task'
            and by_subtype.source_type = lower(tasks.task_subtype)
    left join mapping as fallback
        on fallback.source = 'salesforce' and fallback.source_object = 'task' and fallback.source_type = '*'

),

salesforce_events as (

    select
        'salesforce' as source,
        'event' as source_object,
        events.event_id as source_activity_id,
        coalesce(by_type.activity_type, fallback.activity_type) as activity_type,
        coalesce(events.start_at, cast(events.activity_date as {{ dbt.type_timestamp() }}), events.created_at)
            as occurred_at,
        events.owner_id as source_owner_id,
        case when events.what_id like '006%' then events.what_id end as source_deal_id,
        coalesce(events.account_id, case when events.what_id like '001%' then events.what_id end) as source_account_id,
        events.who_id as source_person_id,
        cast(coalesce(
            events.duration_minutes,
            {{ revops.days_between('events.start_at', 'events.end_at') }} * 1440
        ) as {{ revops.type_double() }}) as duration_minutes,
        events.subject
    from {{ ref('stg_salesforce__events') }} as events
    left join mapping as by_type
        on by_type.source = 'salesforce' and by_type.source_object = 'event'
            and by_type.source_type = lower(events.event_type)
    left join mapping as fallback
        on fallback.source = 'salesforce' and fallback.source_object = 'event' and fallback.source_type = '*'

),

hubspot_engagements as (

    select
        'calls' as source_object,
        call_id as source_activity_id,
        owner_id,
        occurred_at,
        cast(null as {{ dbt.type_string() }}) as source_type,
        duration_ms / 60000.0 as duration_minutes,
        subject
    from {{ ref('stg_hubspot__calls') }}
    union all
    select
        'meetings' as source_object,
        meeting_id as source_activity_id,
        owner_id,
        coalesce(occurred_at, start_at) as occurred_at,
        cast(null as {{ dbt.type_string() }}) as source_type,
        {{ revops.days_between('start_at', 'end_at') }} * 1440 as duration_minutes,
        subject
    from {{ ref('stg_hubspot__meetings') }}
    union all
    select
        'emails' as source_object,
        email_id as source_activity_id,
        owner_id,
        occurred_at,
        activity_category as source_type,
        cast(null as {{ revops.type_double() }}) as duration_minutes,
        subject
    from {{ ref('stg_hubspot__emails') }}
    union all
    select
        'notes' as source_object,
        note_id as source_activity_id,
        owner_id,
        occurred_at,
        cast(null as {{ dbt.type_string() }}) as source_type,
        cast(null as {{ revops.type_double() }}) as duration_minutes,
        subject
    from {{ ref('stg_hubspot__notes') }}
    union all
    select
        'tasks' as source_object,
        task_id as source_activity_id,
        owner_id,
        occurred_at,
        task_type as source_type,
        cast(null as {{ revops.type_double() }}) as duration_minutes,
        subject
    from {{ ref('stg_hubspot__tasks') }}

),

hubspot_links as (

    select
        from_object_type,
        from_id,
        min(case when to_object_type = 'deals' then to_id end) as deal_id,
        min(case when to_object_type = 'companies' then to_id end) as company_id
    from {{ ref('int_hubspot_associations_normalised') }}
    where from_object_type in ('calls', 'meetings', 'emails', 'notes', 'tasks')
    group by from_object_type, from_id

),

hubspot as (

    select
        'hubspot' as source,
        engagements.source_object,
        engagements.source_activity_id,
        coalesce(by_type.activity_type, fallback.activity_type) as activity_type,
        engagements.occurred_at,
        engagements.owner_id as source_owner_id,
        hubspot_links.deal_id as source_deal_id,
        hubspot_links.company_id as source_account_id,
        cast(null as {{ dbt.type_string() }}) as source_person_id,
        engagements.duration_minutes,
        engagements.subject
    from hubspot_engagements as engagements
    left join hubspot_links
        on engagements.source_object = hubspot_links.from_object_type
            and engagements.source_activity_id = hubspot_links.from_id
    left join mapping as by_type
        on engagements.source_object = by_type.source_object
            and lower(engagements.source_type) = by_type.source_type
            and by_type.source = 'hubspot'
    left join mapping as fallback
        on engagements.source_object = fallback.source_object
            and fallback.source = 'hubspot'
            and fallback.source_type = '*'

),

pipedrive as (

    select
        'pipedrive' as source,
        'activities' as source_object,
        activities.activity_id as source_activity_id,
        coalesce(by_type.activity_type, fallback.activity_type) as activity_type,
        coalesce(
            {{ revops.to_utc_timestamp(
                "cast(activities.due_date as " ~ dbt.type_string() ~ ") || ' ' || coalesce(activities.due_time, '00:00')") }},
            cast(activities.due_date as {{ dbt.type_timestamp() }}),
            activities.done_at,
            activities.created_at
        ) as occurred_at,
        activities.owner_id as source_owner_id,
        activities.deal_id as source_deal_id,
        activities.organization_id as source_account_id,
        activities.person_id as source_person_id,
        cast(
            {{ dbt.safe_cast(dbt.split_part('activities.duration', "':'", 1), dbt.type_int()) }} * 60
            + {{ dbt.safe_cast(dbt.split_part('activities.duration', "':'", 2), dbt.type_int()) }}
            as {{ revops.type_double() }}
        ) as duration_minutes,
        activities.subject
    from {{ ref('stg_pipedrive__activities') }} as activities
    left join mapping as by_type
        on by_type.source = 'pipedrive' and by_type.source_object = 'activities'
            and by_type.source_type = lower(activities.activity_type)
    left join mapping as fallback
        on fallback.source = 'pipedrive' and fallback.source_object = 'activities' and fallback.source_type = '*'

),

unioned as (

    select * from salesforce_tasks
    union all
    select * from salesforce_events
    union all
    select * from hubspot
    union all
    select * from pipedrive

)

select
    source || ':' || source_object || ':' || source_activity_id as activity_id,
    source,
    source_object,
    source_activity_id,
    activity_type,
    occurred_at,
    cast(occurred_at as date) as activity_date,
    source_owner_id,
    case when source_deal_id is not null then source || ':' || source_deal_id end as deal_id,
    source_account_id,
    source_person_id,
    duration_minutes,
    subject
from unioned

{{ config(severity='error', tags=['stage_mapping']) }}
{#- Every CRM stage a deal is in, or went through, must be mapped to a canonical stage in revops.yml
    (`stages.<source>.<pipeline>.<stage>`): an unmapped stage is reported, never guessed. The error
    names each source, pipeline and stage, so the fix is one line of configuration. -#}

{%- set unmapped_sql -%}
    select
        source,
        coalesce(pipeline_label, pipeline_key) as pipeline,
        coalesce(stage_label, stage_key) as stage,
        stage_key
    from {{ ref('int_deal_stages_mapped') }}
    where is_used and canonical_stage is null
        and not (source = 'pipedrive' and lower(coalesce(stage_label, stage_key)) in ('won', 'lost'))
    order by source, pipeline, stage
{%- endset -%}

{#- only once the mapping is built: compiling alone (docs, lint) on an empty warehouse must not fail -#}
{%- if execute and load_relation(ref('int_deal_stages_mapped')) is not none -%}
    {%- set unmapped = run_query(unmapped_sql) -%}
    {%- if unmapped.rows | length > 0 -%}
        {%- set lines = [] -%}
        {%- for row in unmapped.rows -%}
            {%- do lines.append(row['source'] ~ " pipeline '" ~ row['pipeline'] ~ "' stage '" ~ row['stage']
                ~ "' (id " ~ row['stage_key'] ~ ")") -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            "Unmapped CRM stage(s): " ~ lines | join('; ')
            ~ ". Map each one in revops.yml under stages.<source>.<pipeline> to one of qualification, demo,"
            ~ " proposal, negotiation, closed_won, closed_lost, then sync and build again.") }}
    {%- endif -%}
{%- endif -%}

{{ unmapped_sql }}

{#- Rows for which a boolean SQL expression is false (NULL counts as true: use not_null for that). -#}
{% test expression_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce({{ expression }}, true)

{% endtest %}

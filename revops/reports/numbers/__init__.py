"""The numbers behind each report, computed from the warehouse without rendering anything.

Every function reads through a read-only `Warehouse`, writes nothing and returns DataFrames or dicts,
so tests can compare them with SQL run directly on the tables. A function raises `TableMissing` when a
table it needs is absent; the page shows that section as unavailable."""

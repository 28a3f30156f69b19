"""Dagster: assets, checks, schedules and sensors. `definitions.py` only merges the modules."""

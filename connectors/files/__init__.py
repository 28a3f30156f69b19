"""Input files: quotas and targets, the HR roster and events, absences, surveys and exchange rates.

Reads CSV files (UTF-8, header row, ISO dates) from the folder configured as `sources.files.folder`
and loads them into `raw_inputs` with dlt. Each file is validated column by column: a file without a
required column stops with an error naming the file and the column; a row whose value does not parse is
quarantined in `_rejected_records` with the file, line and column, and counted. No credentials needed."""

from connectors.files.source import SPECS, FileSpec, InputFileError, read_input_file, source

__all__ = ["FileSpec", "InputFileError", "SPECS", "read_input_file", "source"]

"""RevOps warehouse: configuration, command line, and the Python marts (forecast, team health),
alerts, serving and reports built on the warehouse."""

__version__ = "0.1.0"

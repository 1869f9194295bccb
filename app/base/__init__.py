"""Base: what every layer may use, the database layer included: errors in the clerk's words, database
faults, exact money, bounded reading of files and texts, progress and cancellation, resource paths.
Imports nothing else from ``app``."""

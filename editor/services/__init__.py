"""Writes of the editor's own records and jobs (AicePS's tasks are written by
``generation.services``)."""

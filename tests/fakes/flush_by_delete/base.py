"""Django's PostgreSQL backend, emptying tables with DELETE instead of TRUNCATE (tests only).

A transactional test ends by emptying every table. TRUNCATE gives each of the ~60 tables new
files, about 0.4 s a test here; DELETE on the few rows a test leaves takes milliseconds (the
"deletion" strategy of Rails' database_cleaner, for the same reason). Foreign keys made by
Django's migrations are deferred on PostgreSQL and the flush runs in one transaction, so the
order of the DELETEs does not matter. Everything else is Django's own backend.
"""

from __future__ import annotations

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables:
            return []
        statements = [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]
        if reset_sequences:
            flushed = set(tables)
            sequences = [
                sequence
                for sequence in self.connection.introspection.sequence_list()
                if sequence["table"] in flushed
            ]
            statements.extend(self.sequence_reset_by_name_sql(style, sequences))
        return statements


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

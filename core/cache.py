"""Django's database cache with an atomic ``add`` and ``incr``, for counters shared by every
process when there is no Redis (throttles, the sign-in gate).

Django's own ``DatabaseCache.incr`` is a read and a write (two processes both read 4 and
both write 5; it also resets the entry's expiry), and its ``add`` over an expired row is a
read and an update that two processes can both win. Here each one first takes the row's
write lock with a no-op ``UPDATE`` (PostgreSQL locks the row; SQLite takes its write lock)
inside a transaction, so callers of the same key run one after the other; an ``add`` of a
key nobody has yet is settled by the primary key (the loser's ``INSERT`` fails and it
answers False). Redis's ``INCR`` and the local-memory cache's lock are atomic already.
"""

from __future__ import annotations

import base64
import contextlib
import pickle
from collections.abc import Callable

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now as tz_now


class DatabaseCache(DjangoDatabaseCache):
    # Django's DatabaseCache has these; its type stubs do not declare them.
    _table: str
    _base_set: Callable[..., bool]

    @contextlib.contextmanager
    def _row_locked(self, key: str):
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        with transaction.atomic(using=db), connection.cursor() as cursor:
            table, expires = quote_name(self._table), quote_name("expires")
            cursor.execute(
                f"UPDATE {table} SET {expires} = {expires} WHERE {quote_name('cache_key')} = %s",
                [key],
            )
            yield connection, cursor

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        made = self.make_and_validate_key(key, version=version)
        with self._row_locked(made):
            return self._base_set("add", made, value, timeout)

    def incr(self, key, delta=1, version=None):
        made = self.make_and_validate_key(key, version=version)
        with self._row_locked(made) as (connection, cursor):
            quote_name = connection.ops.quote_name
            table, value, key_column = (
                quote_name(self._table),
                quote_name("value"),
                quote_name("cache_key"),
            )
            cursor.execute(
                f"SELECT {value}, {quote_name('expires')} FROM {table} WHERE {key_column} = %s",
                [made],
            )
            row = cursor.fetchone()
            if row is None or self._expired(connection, row[1]):
                raise ValueError(f"Key '{key}' not found.")
            current = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode()))
            updated = current + delta
            encoded = base64.b64encode(pickle.dumps(updated, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {value} = %s WHERE {key_column} = %s", [encoded, made]
            )
            return updated

    @staticmethod
    def _expired(connection, expires) -> bool:
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(
            expression
        ) + expression.get_db_converters(connection):
            expires = converter(expires, expression, connection)
        # As Django's add decides (to the second), so an add and an incr never disagree.
        return expires < tz_now().replace(microsecond=0)

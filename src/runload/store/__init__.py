"""The store: one SQLite file holding athletes, activities, pain entries and what was sent.

- :mod:`runload.store.schema`: the schema, as numbered migration steps.
- :mod:`runload.store.rows`: rows to and from the dataclasses of :mod:`runload.models`.
- :mod:`runload.store.base`: opening a store file (migrated on open) and its transactions.
- :mod:`runload.store.queries`: :class:`Store`, the open store and its queries, with those of
  :mod:`~runload.store.imports`, :mod:`~runload.store.sources` and :mod:`~runload.store.sent_log`.
- :mod:`runload.store.read_ahead`: athletes read a block at a time, for a worker assessing many.
- :mod:`runload.store.starts`: an athlete's stored start times, held while an import writes.
"""

from runload.store.base import CommitError, describe_sqlite_error
from runload.store.queries import Store
from runload.store.rows import CORRECTABLE, ImportRecord, Source, UndoResult
from runload.store.schema import MIGRATIONS, SCHEMA_VERSION, Migration
from runload.store.starts import StoredStarts
from runload.store.sent_log import CLAIMED_SEND_STATES, HELD_AFTER_KILL, SendClaim

__all__ = [
    "CLAIMED_SEND_STATES", "CORRECTABLE", "HELD_AFTER_KILL", "MIGRATIONS", "SCHEMA_VERSION", "CommitError",
    "ImportRecord", "Migration", "SendClaim", "Source", "Store", "StoredStarts", "UndoResult", "describe_sqlite_error",
]

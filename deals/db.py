"""PostgreSQL-only schema pieces, applied by migrations behind a connection.vendor check.

The GIN index over `deals_identity_keys(name)` (migration 0006; the keys of deals.normalise.identity_keys)
is what the conflict check searches; the older trigram GIN indexes remain for ranking by similarity.
They lead with `tenant_id` (btree_gin) like every other index here. They are not declared in
Meta.indexes, because SQLite cannot build them; the portable conflict check does not need them.
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations
from django.db.migrations.operations.base import Operation
from django.db.models import Q


def trigram_index(*, field: str, name: str, condition: Q | None = None) -> GinIndex:
    return GinIndex(fields=["tenant", field], name=name, opclasses=["int8_ops", "gin_trgm_ops"], condition=condition)


# Only registrations that can conflict are indexed (closed ones are most of the table), so the
# posting lists the trigram search walks stay short. The conflict query repeats this predicate.
ACTIVE_STATUSES = ("submitted", "info_requested", "approved")
ACTIVE_CONDITION = Q(status__in=ACTIVE_STATUSES)


class AddIndexOnPostgres(Operation):
    """Like AddIndex, but only on PostgreSQL and without touching the migration state."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, index):
        self.model_name = model_name
        self.index = index

    def state_forwards(self, app_label, state):
        pass  # not part of the model state: other backends never see it

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = from_state.apps.get_model(app_label, self.model_name)
        schema_editor.remove_index(model, self.index)

    def describe(self):
        return f"Create PostgreSQL index {self.index.name} on {self.model_name}"

    def deconstruct(self):
        return self.__class__.__qualname__, [], {"model_name": self.model_name, "index": self.index}


class RemoveIndexOnPostgres(AddIndexOnPostgres):
    """The reverse of AddIndexOnPostgres (PostgreSQL only, no state change)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        super().database_backwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Drop PostgreSQL index {self.index.name} on {self.model_name}"


class RunSQLOnPostgres(migrations.RunSQL):
    """Like RunSQL, but only on PostgreSQL (functions and expression indexes SQLite has no use for)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

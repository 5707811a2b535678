"""Bulk loading with PostgreSQL COPY, driven by the models' own metadata.

A table is written by naming the columns we generate; every other concrete column gets the
field's default (or NULL where it may be null), so a model that gains a field with a
default keeps loading without a change here.
"""

import datetime
import decimal
import io
import json

from django.db import connection

CHUNK = 50_000


def _encode(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = (value.replace("\\", "\\\\").replace("\t", "\\t")
                     .replace("\n", "\\n").replace("\r", "\\r"))
        return value
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | int | float):
        return str(value)
    return str(value)


class Table:
    """COPY rows into one model's table: ``Table(Model, ["id", "name", ...]).write(rows)``."""

    def __init__(self, model, columns):
        self.model = model
        self.columns = list(columns)
        known = set(self.columns)
        self.extra_columns = []
        self.extra_values = []
        now = datetime.datetime.now(datetime.UTC)
        for field in model._meta.concrete_fields:
            if field.attname in known or field.generated:
                continue  # named by the caller, or computed by the database
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            elif field.has_default() or field.db_default is not models_NOT_PROVIDED():
                value = field.get_default()
                if value is None and field.db_default is not models_NOT_PROVIDED():
                    continue  # leave it to the database default
            elif field.null:
                value = None
            elif field.primary_key:
                continue
            else:
                value = field.get_default()
                if value is None:
                    raise ValueError(
                        f"{model._meta.label}.{field.name}: no value and no default; "
                        "the generator must set it"
                    )
            self.extra_columns.append(field.column)
            if isinstance(value, dict | list):
                value = json.dumps(value)
            self.extra_values.append(_encode(value))
        by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
        for name in self.columns:
            if name not in by_attname:
                raise ValueError(f"{model._meta.label} has no column {name!r}")
        self.db_columns = [by_attname[name] for name in self.columns] + self.extra_columns
        self.count = 0

    def write(self, rows):
        tail = ("\t" + "\t".join(self.extra_values)) if self.extra_values else ""
        sql = (f'COPY "{self.model._meta.db_table}" ('
               + ", ".join(f'"{c}"' for c in self.db_columns) + ") FROM STDIN")
        buffer = io.StringIO()
        pending = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor
            for row in rows:
                buffer.write("\t".join(map(_encode, row)))
                buffer.write(tail)
                buffer.write("\n")
                pending += 1
                if pending >= CHUNK:
                    self._flush(raw, sql, buffer)
                    buffer = io.StringIO()
                    self.count += pending
                    pending = 0
            if pending:
                self._flush(raw, sql, buffer)
                self.count += pending
        return self.count

    @staticmethod
    def _flush(raw, sql, buffer):
        buffer.seek(0)
        raw.copy_expert(sql, buffer)


def models_NOT_PROVIDED():  # noqa: N802 - mirrors django.db.models.NOT_PROVIDED
    from django.db.models import NOT_PROVIDED

    return NOT_PROVIDED


def reset_sequences(models):
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)

"""SQL pieces for the chunk statement: text with `{name}` slots and bound parameters, expressions
that reproduce Python's arithmetic, and JSON written as text."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# --- SQL pieces ------------------------------------------------------------------------------

# How a CTE runs (see chunk_statement).
INLINE, MATERIALIZED, FENCED = "inline", "materialized", "fenced"


@dataclass
class Sql:
    """SQL text whose `%s` placeholders take `params`, in order."""

    text: str
    params: list

    @classmethod
    def of(cls, queryset) -> Sql:
        text, params = queryset.query.sql_with_params()
        return cls(text, list(params))


def param(value, cast: str) -> Sql:
    """One bound parameter with an explicit type (no guessing by the server, and arrays that may be empty)."""
    return Sql(f"%s::{cast}", [value])


def compose(template: str, **pieces: Sql | str) -> Sql:
    """Fill the `{name}` slots of `template` with pieces, collecting their parameters in text order.
    Plain strings are SQL written here (never data). The template itself holds no placeholders."""
    assert "%s" not in template
    params: list = []

    def fill(match: re.Match) -> str:
        piece = pieces[match.group(1)]
        if isinstance(piece, Sql):
            params.extend(piece.params)
            return piece.text
        return piece

    text = re.sub(r"\{(\w+)\}", fill, template)
    return Sql(text, params)


def join(pieces: list[Sql], sep: str = ",\n") -> Sql:
    return Sql(sep.join(p.text for p in pieces), [v for p in pieces for v in p.params])


# Expressions that reproduce Python's arithmetic on one value (text in, text out; no data).

def cap(x: str) -> str:
    """scoring._cap: clamp to [0, 1]."""
    return f"greatest(0::float8, least(1::float8, {x}))"


def round_float(x: str, digits: int) -> str:
    """Python's round(float, n): PostgreSQL's round(float8) rounds half to even like Python does."""
    scale = 10 ** digits
    return f"(round(({x}) * {scale}) / {scale})"


def cents(x: str) -> str:
    """features._quantize: Decimal.quantize(0.01) rounds half to even; numeric round() would round
    half away from zero (MDF amounts converted at 8-decimal rates can end in exactly ½ cent)."""
    return (f"(CASE WHEN mod(({x}) * 100, 1) IN (0.5, -0.5) THEN 2 * round(({x}) * 50) "
            f"ELSE round(({x}) * 100) END / 100)::numeric(16, 2)")


# JSON written as text and parsed once per column (`::jsonb`). jsonb_build_object and its kin cost
# about 2 µs per object (each value turned into a JSON number through its text form, each nested
# object decoded again by its parent): they were half of a chunk's time. Text costs about a third
# of that, and jsonb orders keys and drops whitespace itself, so the stored values are the same.
# Literal pieces hold only JSON punctuation and this module's own keys and codes; values are
# numbers, booleans, or strings escaped by to_json.

def lit(text: str) -> str:
    """A SQL string literal of JSON punctuation, keys and codes written here (never data)."""
    assert "%" not in text and not re.search(r"\{\w+\}", text)
    return "'" + text.replace("'", "''") + "'"


def key(name: str, first: bool = False) -> str:
    """The text before a member's value: `{"name": ` or `, "name": `."""
    return lit(("{" if first else ", ") + json.dumps(name) + ": ")


def jnum(x: str) -> str:
    """A number (integer, numeric or float8) or null: PostgreSQL's text form of a number is JSON."""
    return f"coalesce(({x})::text, 'null')"


def jdigits(x: str) -> str:
    """A JSON string of a value whose text needs no escaping: a number's exact digits (money, as
    Python's str(Decimal)) or a UUID; x not null."""
    return f"('\"' || ({x})::text || '\"')"


def jstr(x: str) -> str:
    """A string, escaped, or null."""
    return f"coalesce(to_json(({x})::text)::text, 'null')"


def jobject(members: list[tuple[str, str]]) -> str:
    """A JSON object's text from (key, value's JSON text) pairs."""
    pieces = [part for i, (name, value) in enumerate(members) for part in (key(name, first=i == 0), value)]
    return "(" + " || ".join(pieces) + " || '}')"


def jarray(elements: list[str], limit: int | None = None) -> str:
    """A JSON array's text of the non-null element texts, in order, at most `limit` of them (a list
    built with `if ...: append(...)` in Python)."""
    if limit is None:
        return f"('[' || concat_ws(', ', {', '.join(elements)}) || ']')"
    kept = f"(array_remove(ARRAY[{', '.join(elements)}]::text[], NULL))[1:{int(limit)}]"
    return f"('[' || array_to_string({kept}, ', ') || ']')"



def day_uuid(day: str) -> str:
    """analytics.models.snapshot_id for a date expression: a random UUID whose first six bytes are
    the date's midnight (UTC) in milliseconds since the epoch, then the version 7 byte (0x70)."""
    ms = f"(extract(epoch FROM ({day})::timestamp) * 1000)::bigint"
    return (f"encode(overlay(uuid_send(gen_random_uuid()) PLACING substring(int8send({ms}) FROM 3) "
            "|| '\\x70'::bytea FROM 1 FOR 7), 'hex')::uuid")


def in_list(values) -> Sql:
    """`(%s, %s, …)` for a fixed list of values."""
    return Sql("(" + ", ".join(["%s"] * len(values)) + ")", list(values))

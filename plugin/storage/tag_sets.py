"""Each candidate's filterable tags as one array of namespaced strings ("passion:research",
"aversion:numbers", "skill:<ESCO URI>"), so that the pool's filters are one indexed test per row instead of
a semi-join per filter.

PostgreSQL stores a `varchar[]` with a GIN index: `@>` for "all of", `NOT &&` for "none of", and the
planner intersects the index's posting lists. SQLite stores the same list as JSON and answers the same two
tests with `json_each`: slower, but the query builder (plugin/storage/pool.py) is one for both.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, Boolean, String, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

TAG_SET = ARRAY(String(300)).with_variant(JSON(), "sqlite")
SEPARATOR = ":"


def tag(kind: str, value: str) -> str:
    """One namespaced tag: the kind keeps a passion and an aversion of the same theme apart."""
    return f"{kind}{SEPARATOR}{value}"


def tags(kind: str, values: Iterable[str]) -> list[str]:
    return [tag(kind, value) for value in values]


class _HoldsAll(FunctionElement[bool]):
    """The tag set holds every one of the given tags."""

    type = Boolean()
    name = "holds_all"
    inherit_cache = True


class _HoldsAny(FunctionElement[bool]):
    """The tag set holds at least one of the given tags."""

    type = Boolean()
    name = "holds_any"
    inherit_cache = True


def holds_all(column: Any, wanted: list[str]) -> ColumnElement[bool]:
    return _HoldsAll(column, bindparam(None, wanted, type_=TAG_SET))


def holds_any(column: Any, wanted: list[str]) -> ColumnElement[bool]:
    return _HoldsAny(column, bindparam(None, wanted, type_=TAG_SET))


def _operands(element: FunctionElement[bool], compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    column, wanted = element.clauses.clauses
    return compiler.process(column, **kw), compiler.process(wanted, **kw)


@compiles(_HoldsAll, "postgresql")
def _holds_all_pg(element: _HoldsAll, compiler: SQLCompiler, **kw: Any) -> str:
    column, wanted = _operands(element, compiler, **kw)
    return f"({column} @> CAST({wanted} AS VARCHAR[]))"


@compiles(_HoldsAny, "postgresql")
def _holds_any_pg(element: _HoldsAny, compiler: SQLCompiler, **kw: Any) -> str:
    column, wanted = _operands(element, compiler, **kw)
    return f"({column} && CAST({wanted} AS VARCHAR[]))"


@compiles(_HoldsAll)
def _holds_all_json(element: _HoldsAll, compiler: SQLCompiler, **kw: Any) -> str:
    column, wanted = _operands(element, compiler, **kw)
    return (f"(NOT EXISTS (SELECT 1 FROM json_each({wanted}) AS w WHERE w.value NOT IN "
            f"(SELECT h.value FROM json_each({column}) AS h)))")


@compiles(_HoldsAny)
def _holds_any_json(element: _HoldsAny, compiler: SQLCompiler, **kw: Any) -> str:
    column, wanted = _operands(element, compiler, **kw)
    return (f"(EXISTS (SELECT 1 FROM json_each({column}) AS h WHERE h.value IN "
            f"(SELECT w.value FROM json_each({wanted}) AS w)))")

"""Small helpers shared by the store modules (private)."""

from __future__ import annotations

from collections import namedtuple
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite


def now() -> datetime:
    return datetime.now(UTC)


def utc(value: datetime | None) -> datetime | None:
    """Aware UTC datetimes in and out: SQLite hands back naive values."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def upsert(tx: Any, table: Any) -> Any:
    """INSERT ... ON CONFLICT for the current dialect."""
    return (postgresql.insert if tx.is_postgres else sqlite.insert)(table)


def normalize_address(address: str) -> str:
    """Addresses are compared case-insensitively; stored lower case."""
    return address.strip().strip("<>").lower()


def domain_of(address: str) -> str:
    return address.rpartition("@")[2]


class Prepared:
    """A Core statement compiled once per database and run on the driver's cursor.

    Through `Connection.execute` every run pays 15-20 us of SQLAlchemy (cache key,
    execution context, result wrapping): most of a one-row statement's cost, and the
    writer thread runs a dozen per delivery. The SQL text and the bind and result
    processors are SQLAlchemy's own, so values are written and read exactly as through
    Core. Every parameter must be given (column defaults are not applied). A list value
    fills an expanding IN (never empty). Driver errors come out as SQLAlchemy's
    `DBAPIError` subclasses, as from `Connection.execute`. Runs on `tx.cursor()`.
    """

    __slots__ = ("stmt", "_forms")

    def __init__(self, stmt: Any) -> None:
        self.stmt = stmt
        self._forms: dict[Any, _Form] = {}

    def _form(self, tx: Any) -> _Form:
        dialect = tx.conn.dialect
        key = (dialect.name, dialect.server_version_info)
        form = self._forms.get(key)
        if form is None:
            form = self._forms[key] = _Form(self.stmt, dialect)
        return form

    def rows(self, tx: Any, params: dict[str, Any]) -> list[Any]:
        """All result rows (attribute access by column name, like Core rows)."""
        return self._form(tx).run(tx, params, fetch=True)

    def tuples(self, tx: Any, params: dict[str, Any]) -> list[Any]:
        """All result rows as plain sequences, for callers that index them: no row object
        is made per row (FETCH reads thousands)."""
        return self._form(tx).run(tx, params, fetch=True, wrap=False)  # type: ignore[no-any-return]

    def first(self, tx: Any, params: dict[str, Any]) -> Any:
        rows = self._form(tx).run(tx, params, fetch=True)
        return rows[0] if rows else None

    def scalar(self, tx: Any, params: dict[str, Any]) -> Any:
        rows = self._form(tx).run(tx, params, fetch=True, wrap=False)
        return rows[0][0] if rows else None

    def execute(self, tx: Any, params: dict[str, Any]) -> int:
        """Run without a result; returns the row count."""
        return self._form(tx).run(tx, params, fetch=False)  # type: ignore[no-any-return]

    def executemany(self, tx: Any, seq: list[dict[str, Any]]) -> None:
        if seq:
            self._form(tx).many(tx, seq)


class _Form:
    """One statement compiled for one database."""

    def __init__(self, stmt: Any, dialect: Any) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.dialect = dialect
        self.qmark = dialect.paramstyle == "qmark"
        if not self.qmark and dialect.paramstyle != "pyformat":
            raise ValueError(f"unsupported paramstyle {dialect.paramstyle}")
        self.sql: str = compiled.string
        self.names: list[str] = list(compiled.positiontup or compiled.bind_names.values())
        self.binds = {name: proc for name, proc in compiled._bind_processors.items()}
        self.expanding = {b.key for b in compiled.post_compile_params}
        # Literals in the statement (`uidnext + 1`, LIMIT 1) are bound parameters with a value.
        self.fixed = {name: b.effective_value for b, name in compiled.bind_names.items() if not b.required}
        cols = compiled._result_columns
        self.row = _row_class(tuple(c[0] for c in cols)) if cols else None
        procs = [c[3]._cached_result_processor(dialect, None) for c in cols]
        self.results = [(i, p) for i, p in enumerate(procs) if p is not None]

    def _bind(self, params: dict[str, Any]) -> tuple[str, Any]:
        binds, sql = self.binds, self.sql
        if self.fixed:
            params = {**self.fixed, **params}
        if self.qmark:
            values: list[Any] = []
            for name in self.names:
                value = params[name]
                proc = binds.get(name)
                if name in self.expanding:
                    items = [proc(v) for v in value] if proc else list(value)
                    sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join("?" * len(items)), 1)
                    values.extend(items)
                else:
                    values.append(proc(value) if proc else value)
            return sql, values
        named: dict[str, Any] = {}
        for name in self.names:
            value = params[name]
            proc = binds.get(name)
            if name in self.expanding:
                keys = [f"{name}_{i}" for i in range(len(value))]
                sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join(f"%({k})s" for k in keys), 1)
                named.update(zip(keys, [proc(v) for v in value] if proc else value, strict=True))
            else:
                named[name] = proc(value) if proc else value
        return sql, named

    def run(self, tx: Any, params: dict[str, Any], fetch: bool, wrap: bool = True) -> Any:
        sql, values = self._bind(params)
        cursor = tx.cursor()
        try:
            cursor.execute(sql, values)
            if not fetch:
                return cursor.rowcount
            raw = cursor.fetchall()
        except self.dialect.loaded_dbapi.Error as err:
            raise self._wrap(sql, values, err) from err
        if self.results:
            out = []
            for r in raw:
                r = list(r)
                for i, proc in self.results:
                    r[i] = proc(r[i])
                out.append(r)
            raw = out
        row = self.row
        return [row._make(r) for r in raw] if row is not None and wrap else raw

    def many(self, tx: Any, seq: list[dict[str, Any]]) -> None:
        if self.expanding:
            raise ValueError("executemany with an expanding IN")
        bound = [self._bind(p)[1] for p in seq]
        try:
            tx.cursor().executemany(self.sql, bound)
        except self.dialect.loaded_dbapi.Error as err:
            raise self._wrap(self.sql, bound, err) from err

    def _wrap(self, sql: str, values: Any, err: Exception) -> BaseException:
        from sqlalchemy.exc import DBAPIError

        return DBAPIError.instance(sql, values, err, self.dialect.loaded_dbapi.Error, dialect=self.dialect)


_ROWS: dict[tuple[str, ...], Any] = {}


def _row_class(names: tuple[str, ...]) -> Any:
    """A tuple with attribute access by column name (one class per column list)."""
    cls = _ROWS.get(names)
    if cls is None:
        cls = _ROWS[names] = namedtuple("Row", names, rename=True)  # type: ignore[misc]
    return cls

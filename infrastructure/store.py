"""Which store to use: ``CHUNGTAY_DATABASE_URL`` turned into the event store's configuration."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

SQLITE_FACTORY_TOPIC = "infrastructure.recorders:ChainedSQLiteFactory"
POSTGRES_FACTORY_TOPIC = "infrastructure.recorders:ChainedPostgresFactory"


_SCHEMA = re.compile(r"[a-z_][a-z0-9_]{0,62}")
"""A PostgreSQL schema name as PostgreSQL folds an unquoted one: ASCII, lower case. Every part
of chungtay (migrations, the event store, accounts, read models) then names the same schema."""


class DatabaseURLError(ValueError):
    """The database URL is not one of the two accepted forms."""


def redact(url: str) -> str:
    """The database URL with its password (if any) replaced by ``***``, for messages."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def redact_text(text: str, url: str) -> str:
    """``text`` (a message that may quote the URL or the password) with the password hidden."""
    text = text.replace(url, redact(url))
    password = urlsplit(url).password
    if password:
        for form in {password, unquote(password)}:
            text = text.replace(form, "***")
    return text


@dataclass(frozen=True)
class StoreConfig:
    """A parsed database URL: an SQLite file, or a PostgreSQL database and schema."""

    backend: str
    sqlite_path: Path | None = None
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = ""
    password: str = ""
    dbname: str = ""
    schema: str = "public"

    @property
    def is_postgres(self) -> bool:
        """Whether this is the PostgreSQL backend."""
        return self.backend == "postgres"

    def eventsourcing_env(self) -> dict[str, str]:
        """Environment for the ``eventsourcing`` Application (tables come from migrations)."""
        env = {"CREATE_TABLE": "n"}
        if self.is_postgres:
            env.update(
                PERSISTENCE_MODULE=POSTGRES_FACTORY_TOPIC,
                POSTGRES_HOST=self.host,
                POSTGRES_PORT=str(self.port),
                POSTGRES_USER=self.user,
                POSTGRES_PASSWORD=self.password,
                POSTGRES_DBNAME=self.dbname,
                POSTGRES_SCHEMA=self.schema,
                POSTGRES_POOL_SIZE="4",
                POSTGRES_MAX_OVERFLOW="8",
                POSTGRES_LOCK_TIMEOUT="10",
                # A connection is checked as it leaves the pool, so after the server was
                # restarted the pool's dead connections fail no request.
                POSTGRES_PRE_PING="y",
            )
        else:
            assert self.sqlite_path is not None
            env.update(
                PERSISTENCE_MODULE=SQLITE_FACTORY_TOPIC,
                SQLITE_DBNAME=str(self.sqlite_path),
                SQLITE_LOCK_TIMEOUT="30",
            )
        return env

    def psycopg_conninfo(self) -> str:
        """A libpq connection string for direct connections (migrations, queries)."""
        parts = [f"host={self.host}", f"port={self.port}", f"dbname={self.dbname}"]
        if self.user:
            parts.append(f"user={self.user}")
        if self.password:
            parts.append(f"password={self.password}")
        return " ".join(parts)


def parse_database_url(url: str) -> StoreConfig:
    """Parse ``sqlite:///path`` or ``postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?schema=S]``.

    The schema name is folded to lower case, as PostgreSQL folds an unquoted name.
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else ""
        if not path:
            raise DatabaseURLError(f"an SQLite URL is sqlite:///path/to/file.sqlite, not {url!r}")
        return StoreConfig(backend="sqlite", sqlite_path=Path(path))
    if parts.scheme in ("postgresql", "postgres"):
        dbname = parts.path.lstrip("/")
        if not dbname:
            raise DatabaseURLError(f"a PostgreSQL URL names a database: {redact(url)!r}")
        schema = parse_qs(parts.query).get("schema", ["public"])[0].lower()
        if not _SCHEMA.fullmatch(schema):
            raise DatabaseURLError(
                "schema must be a letter or underscore followed by letters, digits and "
                f"underscores (at most 63): {schema!r}"
            )
        try:
            port = parts.port or 5432
        except ValueError:
            raise DatabaseURLError(f"the port of {redact(url)!r} is not a number") from None
        return StoreConfig(
            backend="postgres",
            host=parts.hostname or "127.0.0.1",
            port=port,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            dbname=dbname,
            schema=schema,
        )
    raise DatabaseURLError(
        f"unsupported database URL {redact(url)!r}: use sqlite:/// or postgresql://"
    )

"""Tables (private to store/): SQLAlchemy Core, identical on SQLite and PostgreSQL.

migrations/versions/0001_initial.py creates exactly these; a test compares the two
with Alembic autogenerate so they cannot drift apart.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

# Explicit constraint names so migrations and both backends agree on them.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

TS = DateTime(timezone=True)
CASCADE = "CASCADE"

domains = Table(
    "domains",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(255), nullable=False, unique=True),  # lower case
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("domain_id", Integer, ForeignKey("domains.id", ondelete=CASCADE), nullable=False, index=True),
    Column("address", String(320), nullable=False, unique=True),  # lower case
    Column("password_hash", Text, nullable=False),
    Column("quota_bytes", BigInteger, nullable=True),  # None: unlimited
    Column("used_bytes", BigInteger, nullable=False, default=0),
    Column("created", TS, nullable=False),
)

identities = Table(
    "identities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete=CASCADE), nullable=False, index=True),
    Column("address", String(320), nullable=False, unique=True),
)

aliases = Table(
    "aliases",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("alias", String(320), nullable=False, unique=True),  # "@domain" is a catch-all
    Column("targets", JSON, nullable=False),  # list of addresses
)

groups = Table(
    "groups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(320), nullable=False, unique=True),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", Integer, ForeignKey("groups.id", ondelete=CASCADE), primary_key=True),
    Column("address", String(320), primary_key=True),
)

mailboxes = Table(
    "mailboxes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete=CASCADE), nullable=False),
    Column("name", String(1000), nullable=False),
    Column("parent_id", Integer, ForeignKey("mailboxes.id", ondelete=CASCADE), nullable=True, index=True),
    Column("special_use", String(32), nullable=True),
    Column("system", Boolean, nullable=False, default=False),
    Column("subscribed", Boolean, nullable=False, default=True),
    Column("uidvalidity", BigInteger, nullable=False),
    Column("uidnext", BigInteger, nullable=False, default=1),
    Column("highestmodseq", BigInteger, nullable=False, default=1),
    Column("messages", Integer, nullable=False, default=0),
    Column("unseen", Integer, nullable=False, default=0),
    Column("size", BigInteger, nullable=False, default=0),
    # RFC 3501 2.3.2: the highest UID some IMAP4rev1 session was first told about, so
    # \Recent goes to one session only, across sessions and processes (store/recent.py).
    Column("recent_uid", BigInteger, nullable=False, default=0, server_default=text("0")),
    UniqueConstraint("account_id", "name"),
)

blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("refcount", Integer, nullable=False),
    Column("data", LargeBinary, nullable=True),  # only with the database blob backend
)

threads = Table(
    "threads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete=CASCADE), nullable=False, index=True),
    Column("base_subject", Text, nullable=False),  # at most 250 characters (ingest.MAX_BASE_SUBJECT)
    Column("created", TS, nullable=False),
    Index("ix_threads_account_id_base_subject", "account_id", "base_subject"),  # migration 0002
)

# Message-IDs seen per account -> thread (RFC 5256 REFERENCES: messages sharing ids
# in Message-ID / In-Reply-To / References belong to one thread).
thread_refs = Table(
    "thread_refs",
    metadata,
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete=CASCADE), primary_key=True),
    Column("message_id", String(500), primary_key=True),
    Column("thread_id", Integer, ForeignKey("threads.id", ondelete=CASCADE), nullable=False, index=True),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("mailbox_id", Integer, ForeignKey("mailboxes.id", ondelete=CASCADE), nullable=False),
    Column("uid", BigInteger, nullable=False),
    Column("modseq", BigInteger, nullable=False),
    Column("seen", Boolean, nullable=False, default=False),
    Column("answered", Boolean, nullable=False, default=False),
    Column("flagged", Boolean, nullable=False, default=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("draft", Boolean, nullable=False, default=False),
    Column("keywords", Text, nullable=False, default=""),  # space separated
    Column("internal_date", TS, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("blob_sha", String(64), ForeignKey("blobs.sha256"), nullable=False, index=True),
    Column("thread_id", Integer, ForeignKey("threads.id", ondelete="SET NULL"), nullable=True, index=True),
    Column("envelope", JSON, nullable=True),
    Column("body", JSON, nullable=True),
    Column("h_from", Text, nullable=False, default=""),
    Column("h_to", Text, nullable=False, default=""),
    Column("h_cc", Text, nullable=False, default=""),
    Column("h_subject", Text, nullable=False, default=""),  # RFC 5256 base subject, for SORT
    Column("sent_date", TS, nullable=True),
    Column("message_id", String(500), nullable=True),
    Column("preview", Text, nullable=True),
    Column("annotation", Text, nullable=True),  # private comment of the owner
    UniqueConstraint("mailbox_id", "uid"),
    Index("ix_messages_mailbox_id_modseq", "mailbox_id", "modseq"),
)

expunged = Table(
    "expunged",
    metadata,
    Column("mailbox_id", Integer, ForeignKey("mailboxes.id", ondelete=CASCADE), primary_key=True),
    Column("uid", BigInteger, primary_key=True),
    Column("modseq", BigInteger, nullable=False),
)

# Full-text index on PostgreSQL: one row per distinct (term, message); `fields` is a bit
# mask of where the term occurs (search.FIELD_*). On SQLite it stays empty: the index is an
# FTS5 table there, one row per message (store/search_fts.py, migration 0006), as a b-tree
# insert per term was most of the cost of long text mail.
terms = Table(
    "terms",
    metadata,
    Column("term", String(64), primary_key=True),
    Column("message_id", Integer, ForeignKey("messages.id", ondelete=CASCADE), primary_key=True, index=True),
    Column("fields", Integer, nullable=False),
    sqlite_with_rowid=False,
)

# Messages whose index entries are not written yet: ingest records them here and the
# background indexer (search.index_pending) fills `terms` in batches, as Dovecot's fts
# indexes after delivery. Searches also scan these few messages, so none is missed.
unindexed = Table(
    "unindexed",
    metadata,
    Column("message_id", Integer, ForeignKey("messages.id", ondelete=CASCADE), primary_key=True,
           autoincrement=False),
)

queue = Table(
    "queue",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sender", String(320), nullable=False),
    Column("recipients", JSON, nullable=False),  # [{"address", "status", "detail"}]
    Column("blob_sha", String(64), ForeignKey("blobs.sha256"), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt", TS, nullable=False, index=True),
    Column("created", TS, nullable=False),
    Column("last_error", Text, nullable=True),
)

sieve_scripts = Table(
    "sieve_scripts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete=CASCADE), nullable=False),
    Column("name", String(500), nullable=False),
    Column("content", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=False),
    UniqueConstraint("account_id", "name"),
)

acl = Table(
    "acl",
    metadata,
    Column("mailbox_id", Integer, ForeignKey("mailboxes.id", ondelete=CASCADE), primary_key=True),
    Column("grantee_id", Integer, ForeignKey("accounts.id", ondelete=CASCADE), primary_key=True),
    Column("rights", String(32), nullable=False),  # RFC 4314 rights letters
)

# Feature state: ActiveSync devices and sync keys, spam models, vacation replies, POP3 locks.
state = Table(
    "state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scope", String(64), nullable=False),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete=CASCADE), nullable=True),
    Column("key", String(500), nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("is_json", Boolean, nullable=False, default=False),
    Column("expires", TS, nullable=True, index=True),
    Index("ix_state_scope_account_id_key", "scope", "account_id", "key"),
)

# Committed changes for listeners in other processes on SQLite (PostgreSQL uses NOTIFY);
# see store/sqlite_listen.py. AUTOINCREMENT: ids never reused after pruning.
change_log = Table(
    "change_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created", Float, nullable=False),
    Column("origin", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    sqlite_autoincrement=True,
)

"""barycenter-jobs: the job-management admin API of Barycenter, in one file.

Runs Barycenter's cleanup jobs on their cron schedules and serves GraphQL at
``POST /admin/jobs``, a dashboard at ``GET /admin/jobs``, ``/healthz`` and
``/metrics``, on SQLite or on Barycenter's PostgreSQL (several replicas at
once). Ariadne serves ``schema.graphql`` over the standard library's wsgiref,
APScheduler fires the jobs, sqlite3 or psycopg stores them. README.md tells
the rest; ``create_app`` builds it all from explicit arguments.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import email.message
import enum
import errno
import functools
import hmac
import io
import ipaddress
import json
import logging
import math
import os
import re
import resource
import signal
import socket
import socketserver
import sqlite3
import sys
import threading
import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Optional
from urllib.parse import parse_qs, quote, unquote
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from ariadne import (
    MutationType, ObjectType, QueryType, graphql_sync, make_executable_schema)
from ariadne.explorer import ExplorerGraphiQL
from ariadne.format_error import format_error
from ariadne.utils import convert_camel_case_to_snake, unwrap_graphql_error
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    get_operation_ast,
    parse,
    validate,
    value_from_ast,
)

log = logging.getLogger("barycenter_jobs")


# == Constants ================================================================

ENDPOINT = "/admin/jobs"
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
PLAYGROUND_PATH = ENDPOINT + "/playground"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8081
DEFAULT_DATABASE = "./barycenter.db"
DATABASE_VARIABLE = "BARYCENTER__DATABASE__URL"  # Barycenter's own; --database overrides it
TOKEN_VARIABLE = "BARYCENTER_ADMIN_TOKEN"
READ_TOKEN_VARIABLE = "BARYCENTER_READ_TOKEN"  # queries, /metrics and the dashboard; never a mutation
# Where the files the module loads are, once installed (else beside it).
FILES_FOLDER = "barycenter_jobs_files"
DASHBOARD_FILES = {
    ENDPOINT: ("dashboard.html", "text/html; charset=utf-8"),
    ENDPOINT + "/dashboard.js": ("dashboard.js", "text/javascript; charset=utf-8"),
    ENDPOINT + "/dashboard.css": ("dashboard.css", "text/css; charset=utf-8"),
    ENDPOINT + "/favicon.svg": ("favicon.svg", "image/svg+xml"),
    "/favicon.ico": ("favicon.svg", "image/svg+xml"),  # for browsers that ask there all the same
}
# The dashboard may load from, and talk to, this server alone; no other site may frame it.
PAGE_HEADERS = [
    ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
                                " connect-src 'self'; base-uri 'none'; form-action 'none';"
                                " frame-ancestors 'none'"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-cache"),
]

# -- Storage and runs --------------------------------------------------------

# The longest a statement waits for a lock; replicas starting together wait longer.
BUSY_TIMEOUT_SECONDS = 5.0
SETUP_WAIT_SECONDS = 60
LEASE_SECONDS = 60  # a run's lease on its job, renewed every batch
BATCH_ROWS = 3000  # rows a batch deletes, in a short transaction of its own
LOG_RETENTION_DAYS = 90  # 0: keep everything
# PostgreSQL connections: per query and mutation turn, job, probe and failure writer.
POSTGRES_POOL_SIZE = 1 + 5 + 4 + 2
POSTGRES_POOL_WAIT_SECONDS = 5.0
# No prepared statements: a pooler in transaction mode (PgBouncer) cannot keep them.
POSTGRES_CONNECT_OPTIONS = {"autocommit": True, "connect_timeout": 5, "application_name": "barycenter-jobs",
                            "prepare_threshold": None}
ADVISORY_LOCK_SPACE = 0x42617279  # "Bary": replicas set up the database under this lock
# 10000-01-01T00:00:00Z: no later time has a four-digit year (milliseconds written by mistake are past it).
MAX_EPOCH = 253402300800

# -- Scheduling ----------------------------------------------------------------

RETRY_SECONDS = 5  # how often a failure the database refused is written again
# A firing this late still runs, once; a later one is skipped (and /healthz says overdue).
MISFIRE_GRACE_SECONDS = 300

# -- HTTP and GraphQL ------------------------------------------------------------

# A connection has this long to send its request, and as long to take its answer. Of
# MAX_CONNECTIONS, this many queries, mutations (a trigger for its whole run) and one probe
# execute at once: more queries would answer no more under the interpreter's lock.
REQUEST_TIMEOUT_SECONDS = 10
MAX_CONNECTIONS = 512
REQUEST_WORKERS = 1
MUTATION_WORKERS = 5
# The interpreter's lock passes this often (not every 5 ms): a run gets it back at once.
SWITCH_INTERVAL_SECONDS = 0.0001
MAX_BODY_BYTES = 1024 * 1024
# Limits, each named in its error (GraphiQL needs 160 tokens, 220 fields, a depth of 15).
MAX_QUERY_CHARACTERS = 32 * 1024
MAX_QUERY_TOKENS = 1500
MAX_QUERY_FIELDS = 500
MAX_QUERY_DEPTH = 20
MAX_QUERY_ALIASES = 50
MAX_SAME_NAME_FIELDS = 10  # fields of one response name in one selection set
MAX_ROWS_PER_REQUEST = 2000
MAX_PAUSE_REASON = 200  # characters
JOB_LOGS_MAX_LIMIT = 1000
# The backlog is counted up to this many rows, once every BACKLOG_SECONDS per job.
EXPIRED_RECORDS_CAP = 100_000
BACKLOG_SECONDS = 30


@dataclass(frozen=True)
class JobSpec:
    """A background job: what it is called, when it runs, what it cleans."""

    name: str
    description: str
    schedule: str  # six-field cron, UTC
    table: str
    trigger: Optional[BaseTrigger] = None  # the schedule's, set by create_app


# Names, descriptions and schedules are the seed's, verbatim, in its order.
JOBS = (
    JobSpec("cleanup_expired_sessions", "Clean up expired user sessions", "0 0 * * * *", "sessions"),
    JobSpec("cleanup_expired_refresh_tokens", "Clean up expired refresh tokens", "0 30 * * * *",
            "refresh_tokens"),
    JobSpec("cleanup_expired_challenges", "Clean up expired WebAuthn challenges", "0 */5 * * * *",
            "webauthn_challenges"),
    JobSpec("cleanup_expired_device_codes", "Clean up expired device authorization codes", "0 45 * * * *",
            "device_codes"),
)

# Barycenter's tables as its migrations create them; an existing one is never touched.
BARYCENTER_DDL = """
CREATE TABLE IF NOT EXISTS sessions (
    session_id   {text} NOT NULL PRIMARY KEY,
    subject      {text} NOT NULL,
    auth_time    {integer} NOT NULL,
    created_at   {integer} NOT NULL,
    expires_at   {integer} NOT NULL,
    user_agent   {text} NULL,
    ip_address   {text} NULL,
    amr          {text} NULL,
    acr          {text} NULL,
    mfa_verified {integer} NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS idx_sessions_expires ON sessions (expires_at);

CREATE TABLE IF NOT EXISTS refresh_tokens (
    token        {text} NOT NULL PRIMARY KEY,
    client_id    {text} NOT NULL,
    subject      {text} NOT NULL,
    scope        {text} NOT NULL,
    created_at   {integer} NOT NULL,
    expires_at   {integer} NOT NULL,
    revoked      {integer} NOT NULL DEFAULT 0,
    parent_token {text} NULL
);
CREATE INDEX IF NOT EXISTS idx_refresh_tokens_expires ON refresh_tokens (expires_at);

CREATE TABLE IF NOT EXISTS webauthn_challenges (
    challenge      {text} NOT NULL PRIMARY KEY,
    subject        {text} NULL,
    session_id     {text} NULL,
    challenge_type {text} NOT NULL,
    created_at     {integer} NOT NULL,
    expires_at     {integer} NOT NULL,
    options_json   {text} NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_webauthn_challenges_expires ON webauthn_challenges (expires_at);

CREATE TABLE IF NOT EXISTS device_codes (
    device_code  {text} NOT NULL PRIMARY KEY,
    user_code    {text} NOT NULL,
    client_id    {text} NOT NULL,
    client_name  {text} NULL,
    scope        {text} NOT NULL,
    device_info  {text} NULL,
    created_at   {integer} NOT NULL,
    expires_at   {integer} NOT NULL,
    last_poll_at {integer} NULL,
    "interval"   {integer} NOT NULL,
    status       {text} NOT NULL,
    subject      {text} NULL,
    auth_time    {integer} NULL,
    amr          {text} NULL,
    acr          {text} NULL
);
CREATE INDEX IF NOT EXISTS idx_device_codes_expires_at ON device_codes (expires_at);

CREATE TABLE IF NOT EXISTS job_executions (
    id                {id},
    job_name          {text} NOT NULL,
    started_at        {integer} NOT NULL,
    completed_at      {integer} NULL,
    success           {integer} NULL,
    error_message     {text} NULL,
    records_processed {integer} NULL
);
CREATE INDEX IF NOT EXISTS idx_job_executions_started ON job_executions (started_at);
"""

# Our own, a row per job: its lease (and who cancelled its run), newest firing run, pause (who,
# when, why), when firings are expected from, and the runs counted for good (count_history).
# And a row per run this server started: how. Newer columns are added to older tables at start-up.
STATE_DDL = """
CREATE TABLE IF NOT EXISTS barycenter_jobs_state (
    job_name          TEXT NOT NULL PRIMARY KEY,
    paused            BIGINT NOT NULL DEFAULT 0,
    lease_owner       TEXT NULL,
    lease_run_id      BIGINT NULL,
    lease_expires_at  BIGINT NULL,
    last_firing       BIGINT NULL,
    resumed_at        BIGINT NULL
);
CREATE TABLE IF NOT EXISTS barycenter_jobs_runs (
    run_id            BIGINT NOT NULL PRIMARY KEY,
    started_by        TEXT NOT NULL
);
"""
STATE_COLUMNS = {**dict.fromkeys(("counted_before", "counted_succeeded", "counted_failed", "counted_records"),
                                 "BIGINT NOT NULL DEFAULT 0"),
                 "cancelled_by": "TEXT NULL", "paused_at": "BIGINT NULL", "paused_by": "TEXT NULL",
                 "pause_reason": "TEXT NULL"}
# Of finished runs: successes, failures (any other value), rows deleted (where plausible).
RUN_COUNTS = ("count(CASE WHEN success = 1 THEN 1 END)",
              "count(CASE WHEN success = 1 THEN NULL ELSE 1 END)",
              "coalesce(sum(CASE WHEN records_processed BETWEEN 0 AND 1000000000000"
              " THEN records_processed END), 0)")
LOG_COLUMNS = "job_name, started_at, completed_at, success, error_message, records_processed"
CLEAR_LEASE = ("UPDATE barycenter_jobs_state SET lease_owner = NULL, lease_run_id = NULL,"
               " lease_expires_at = NULL, cancelled_by = NULL")

# All we add to Barycenter's log (with extra_ddl): every jobLogs filter reads one in order.
HISTORY_INDEXES = """
CREATE INDEX IF NOT EXISTS barycenter_jobs_idx_job_started
    ON job_executions (job_name, started_at, id);
CREATE INDEX IF NOT EXISTS barycenter_jobs_idx_failures_started
    ON job_executions (started_at, id) WHERE success = 0;
CREATE INDEX IF NOT EXISTS barycenter_jobs_idx_job_failures_started
    ON job_executions (job_name, started_at, id) WHERE success = 0;
CREATE INDEX IF NOT EXISTS barycenter_jobs_idx_job_successes_started
    ON job_executions (job_name, started_at, id) WHERE success = 1;
CREATE INDEX IF NOT EXISTS barycenter_jobs_idx_unfinished
    ON job_executions (job_name, id) WHERE completed_at IS NULL;
"""

# == Errors ===================================================================


class ConfigError(Exception):
    """The configuration cannot work; start-up stops before anything listens."""


class CronError(ConfigError):
    """A cron expression that cannot be parsed or can never fire."""


class DatabaseUnavailable(Exception):
    """The database cannot be opened, reached or set up; start-up stops."""


# == Cron: six fields, seconds first, UTC =====================================

CRON_FIELDS = "second minute hour day-of-month month day-of-week"
WEEKDAY_NAMES = "SUN MON TUE WED THU FRI SAT".split()  # cron's numbers; 7 is Sunday again


def parse_cron(expression: str) -> BaseTrigger:
    """A six-field cron expression as an APScheduler trigger in UTC; only cron's day-of-week
    numbers (Sunday: 0 or 7) and either-day rule are ours. ``CronError`` names the field."""
    fields = expression.split()
    if len(fields) != 6:
        raise CronError(f"expected 6 fields ({CRON_FIELDS}), got {len(fields)}")
    second, minute, hour, day, month, weekday = fields
    weekdays = "*" if weekday == "*" else _cron_weekdays(weekday)
    for name, label, text in zip(("second", "minute", "hour", "day", "month"), CRON_FIELDS.split(), fields):
        try:
            CronTrigger(**{name: text}, timezone=timezone.utc)
        except ValueError as error:  # "Error validating expression '60': the last value (60) is ..."
            raise CronError(f"{label} {text!r}: {str(error).split(': ', 1)[-1]}") from None

    def trigger(day: str, day_of_week: str) -> CronTrigger:
        return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month,
                           day_of_week=day_of_week, timezone=timezone.utc)

    if not day.startswith("*") and not weekday.startswith("*"):
        return OrTrigger([trigger(day, "*"), trigger("*", weekdays)])
    combined = trigger(day, weekdays)
    if combined.get_next_fire_time(None, datetime(2000, 1, 1, tzinfo=timezone.utc)) is None:
        raise CronError(f"day-of-month {day} never occurs in month {month}")
    return combined


def _cron_weekdays(field: str) -> str:
    """Cron's day-of-week field as APScheduler's list of day names."""
    days = set()
    for item in field.split(","):
        span, slash, step = item.partition("/")
        if slash and not (step.isdigit() and int(step) > 0):
            raise CronError(f"day-of-week step in {item!r} must be a positive whole number")
        first, dash, last = ("0", "-", "7") if span == "*" else span.partition("-")
        start = _cron_weekday(first)
        end = _cron_weekday(last) if dash else 7 if slash else start  # "a/n": from a to the end, every n
        if start > end:
            raise CronError(f"day-of-week range {span!r} runs backwards")
        days.update(day % 7 for day in range(start, end + 1, int(step or 1)))
    return ",".join(WEEKDAY_NAMES[day].lower() for day in sorted(days))


def _cron_weekday(text: str) -> int:
    if text.isdigit():
        if int(text) > 7:
            raise CronError(f"day-of-week {int(text)} is outside 0-7")
        return int(text)
    if text.upper() in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(text.upper())
    raise CronError(f"day-of-week value {text!r} is not valid; expected 0-7 or SUN-SAT")


def next_fire_time(trigger: BaseTrigger, now: float) -> Optional[datetime]:
    """The first firing after the current second (whose firing is happening now)."""
    after = datetime.fromtimestamp(math.floor(now) + 1, timezone.utc)
    return trigger.get_next_fire_time(None, after)


def latest_fire_time(trigger: BaseTrigger, now: float, within: float) -> Optional[datetime]:
    """The last firing at or before ``now`` within ``within`` seconds back,
    found by halving: a firing every second costs what an hourly one does."""
    moment = math.floor(now)
    window = 1
    while True:  # widen the window until it holds a firing
        fire = trigger.get_next_fire_time(None, datetime.fromtimestamp(moment - window, timezone.utc))
        if fire is not None and fire.timestamp() <= moment:
            break
        if window >= within:
            return None
        window = min(window * 4, within)
    low, high = int(fire.timestamp()), moment  # the last firing is a second in [low, high]
    while low < high:
        middle = (low + high + 1) // 2
        fire = trigger.get_next_fire_time(None, datetime.fromtimestamp(middle, timezone.utc))
        if fire is not None and fire.timestamp() <= high:
            low = int(fire.timestamp())
        else:
            high = middle - 1
    return datetime.fromtimestamp(low, timezone.utc)


# == Storage: Barycenter's database, in SQLite or in PostgreSQL ===============


class RunStatus(enum.Enum):
    """What became of a request to run a job: why, as the log says it, and
    triggerJob's message (the seed's words where the seed has them)."""

    SUCCEEDED = ("succeeded", "Job {job} triggered successfully")
    FAILED = ("failed", "Job {job} failed: {error}")
    UNKNOWN_JOB = ("unknown job", "Unknown job: {job}")
    ALREADY_RUNNING = ("a run is already in progress", "Job {job} is already running")
    FIRING_TAKEN = ("this firing ran in another process", "Job {job}'s firing ran already")
    PAUSED = ("the job is paused", "Job {job} was not started: it is paused")
    SHUTTING_DOWN = ("the server is shutting down", "Job {job} was not started: the server is shutting down")

    def __init__(self, reason: str, message: str):
        self.reason, self.message = reason, message


def open_storage(database: str | Path, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> "Storage":
    """The storage a ``--database`` value names (a path, ``sqlite://``, anything libpq
    takes), not yet opened. ``ConfigError`` never quotes the value: it may hold a password."""
    text = str(database)
    if not text.strip():
        raise ConfigError("the database is empty; give a file path, sqlite://PATH, or a PostgreSQL"
                          " connection string")
    url = re.match(r"([A-Za-z][\w+.-]*)://", text)
    scheme = url[1].lower() if url else None
    if scheme == "sqlite":
        path, _, options = text[url.end():].partition("?")
        return SQLiteStorage(f"file:{quote(path)}?{options}", busy_timeout, display=path or text)
    # libpq's key=value form is PostgreSQL too, never a file name.
    if scheme in ("postgresql", "postgres") or (scheme is None and re.match(r"\s*\w+\s*=", text)):
        return PostgresStorage(text, busy_timeout)
    if scheme is not None:
        raise ConfigError(f"unknown database URL scheme {scheme}://; give a file path,"
                          " sqlite://PATH, or postgresql://USER:PASSWORD@HOST/NAME")
    return SQLiteStorage(text, busy_timeout)


class Storage:
    """Barycenter's tables, its job log and our state rows, in SQL both databases share.
    A thread's connection is given back (``release()``) after each request or run, so
    none is shared or kept past a fault. Writes are short transactions (``_write``);
    each locks a job's state row before any run row (no deadlocks)."""

    errors: tuple = (sqlite3.Error,)  # what a failing database raises
    types: Mapping[str, str]          # the column types of BARYCENTER_DDL
    extra_ddl = ""                    # what this database needs besides
    lock_state_row = ""               # how claim() locks a job's state row
    batch_settings = ""               # for a batch's transaction
    rows_wait = ""                    # for its deletes, once it holds its state row
    delete_rows: str                  # a batch's DELETE, row by row

    def __init__(self, display: str, busy_timeout: float):
        self.display = _printable(display)  # how messages name the database: never with a password
        self.busy_timeout = busy_timeout
        self.job_names: tuple[str, ...] = ()  # set by initialize
        self.read_only = False  # see open_to_read
        self._local = threading.local()
        self._backlog: dict[str, tuple[int, int]] = {}  # table -> (counted at, rows)
        self._backlog_lock = threading.Lock()  # one count at a time; the others wait and share it

    def connection(self):
        """This thread's connection, opened (or taken from the pool) on first use."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._connect()
        return connection

    def release(self) -> None:
        """Give this thread's connection back, if it has one."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            self._local.connection = None
            self._disconnect(connection)

    def close(self) -> None:
        """Close what the storage keeps open beyond threads' connections."""

    def _lease_now(self, connection, now: int) -> int:
        """The clock leases are read and written by."""
        return now

    def _running(self, now: int) -> tuple[str, tuple]:
        """SQL and parameters: whether a live process holds the job of a state row."""
        return "(lease_owner IS NOT NULL AND lease_expires_at > ?)", (now,)

    def _take_job(self, connection, job_name: str, owner: str, lease_now: int) -> bool:
        """Lock the job's state row; take the job unless a live process holds its lease
        (a gone process of this machine's holds none)."""
        holder, expires_at = connection.execute(
            "SELECT lease_owner, lease_expires_at FROM barycenter_jobs_state WHERE job_name = ?"
            + self.lock_state_row, (job_name,)).fetchone()
        if holder is not None and _is_dead_local_process(holder):
            connection.execute(CLEAR_LEASE + " WHERE lease_owner = ?", (holder,))
            holder = None
        return holder in (None, owner) or expires_at <= lease_now

    def initialize(self, job_names: Iterable[str], now: int) -> None:
        """Create what is missing; resolve the runs left by processes now gone."""
        self.job_names = tuple(job_names)
        ddl = BARYCENTER_DDL.format(**self.types) + STATE_DDL + HISTORY_INDEXES + self.extra_ddl
        with self._setting_up() as connection:
            self._create(connection, [statement for statement in ddl.split(";") if statement.strip()])
            columns = {column[0] for column in connection.execute(
                "SELECT * FROM barycenter_jobs_state LIMIT 0").description}
            for column, definition in STATE_COLUMNS.items():
                if column not in columns:
                    connection.execute(f"ALTER TABLE barycenter_jobs_state ADD COLUMN {column} {definition}")
            self._add_state_rows(connection, self.job_names, now)
        recovered = 0
        for name in self.job_names:
            with self._write() as connection:
                if self._take_job(connection, name, "", self._lease_now(connection, now)):
                    connection.execute(CLEAR_LEASE + " WHERE job_name = ?", (name,))
                    recovered += self._resolve_interrupted(connection, name, now)
        if recovered:
            log.warning("marked %d unfinished run(s) of an earlier process as interrupted", recovered)
        self.count_history(now)

    def open_to_read(self, job_names: Iterable[str]) -> None:
        """``initialize`` for ``status``: nothing created, migrated, resolved or counted."""
        self.job_names, self.read_only = tuple(job_names), True

    def _create(self, connection, statements: list[str]) -> None:
        for statement in statements:
            connection.execute(statement)

    def claim(self, job_name: str, owner: str, now: int, firing: Optional[int],
              started_by: str) -> int | RunStatus:
        """In one transaction: refuse (why) if paused for a scheduled run, ``firing`` ran, or
        a live process holds the job; else write the run's rows and take the lease (its id)."""
        with self._write() as connection:
            lease_now = self._lease_now(connection, now)
            self._add_state_rows(connection, [job_name], now)
            state = "SELECT paused, last_firing FROM barycenter_jobs_state WHERE job_name = ?"
            paused, last_firing = connection.execute(state + self.lock_state_row, (job_name,)).fetchone()
            if started_by != "manual" and paused:
                return RunStatus.PAUSED
            if firing is not None and last_firing is not None and last_firing >= firing:
                return RunStatus.FIRING_TAKEN
            if not self._take_job(connection, job_name, owner, lease_now):
                return RunStatus.ALREADY_RUNNING
            # Whoever left a run of this job unfinished no longer holds it.
            self._resolve_interrupted(connection, job_name, now)
            run_id = self._insert_run(connection, "INSERT INTO job_executions (job_name, started_at)"
                                      " VALUES (?, ?) RETURNING id", (job_name, now), started_by)
            connection.execute(
                "UPDATE barycenter_jobs_state SET lease_owner = ?, lease_run_id = ?, lease_expires_at = ?,"
                " cancelled_by = NULL, last_firing = coalesce(?, last_firing) WHERE job_name = ?",
                (owner, run_id, lease_now + LEASE_SECONDS, firing, job_name))
            return run_id

    @staticmethod
    def _insert_run(connection, insert: str, parameters: tuple, started_by: str) -> int:
        """A row of job_executions, and how the run was started in ours: its id."""
        run_id = connection.execute(insert, parameters).fetchone()[0]
        connection.execute("INSERT INTO barycenter_jobs_runs (run_id, started_by) VALUES (?, ?)",
                           (run_id, started_by))
        return run_id

    @staticmethod
    def _resolve_interrupted(connection, job_name: str, now: int) -> int:
        """Mark the job's unfinished runs as failed; returns how many."""
        return connection.execute(
            "UPDATE job_executions SET completed_at = ?, success = 0, error_message = ?,"
            " records_processed = coalesce(records_processed, 0) WHERE completed_at IS NULL AND job_name = ?",
            (now, "interrupted by a stop of the server", job_name)).rowcount

    @staticmethod
    def _add_state_rows(connection, job_names: Iterable[str], now: int) -> None:
        """Write the state rows of jobs that have none (an operator may delete one to clear a lease).
        A new row counts as resumed now: no firing before it is expected to have run."""
        for name in job_names:
            connection.execute("INSERT INTO barycenter_jobs_state (job_name, resumed_at) VALUES (?, ?)"
                               " ON CONFLICT DO NOTHING", (name, now))

    def delete_batch(self, run: "RunContext", limit: int, now: int) -> tuple[int, bool]:
        """Delete up to ``limit`` expired rows, counted in the run's row and renewing the lease
        in one transaction; (deleted, last?). RuntimeError if the run was cancelled or another
        process took over."""
        with self._write(self.batch_settings) as connection:
            expires_at = self._lease_now(connection, now) + LEASE_SECONDS
            ours = "WHERE job_name = ? AND lease_owner = ? AND lease_run_id = ?"
            held = (run.job.name, run.owner, run.run_id)
            lease = connection.execute(f"UPDATE barycenter_jobs_state SET lease_expires_at = ? {ours}"
                                       " AND cancelled_by IS NULL", (expires_at, *held)).rowcount
            if not lease:
                (cancelled_by,) = connection.execute(f"SELECT cancelled_by FROM barycenter_jobs_state {ours}",
                                                     held).fetchone() or [None]
                raise RuntimeError(f"cancelled by {cancelled_by}" if cancelled_by else
                                   f"another process took over {run.job.name}; this run stopped")
            if self.rows_wait:
                connection.execute(self.rows_wait)
            deleted, last = self._delete_expired_batch(connection, run, limit)
            connection.execute(
                "UPDATE job_executions SET records_processed = coalesce(records_processed, 0) + ?"
                " WHERE id = ?", (deleted, run.run_id))
            return deleted, last

    def _delete_expired_batch(self, connection, run: "RunContext", limit: int) -> tuple[int, bool]:
        """A range of the expires_at index from where the last batch ended, as cheap as a bare
        DELETE, never walking past deleted entries again; row by row if it cannot go at once."""
        table = run.job.table  # from JOBS, never from a request
        past_batch = connection.execute(
            f'SELECT expires_at FROM "{table}" WHERE expires_at >= ? AND expires_at < ?'
            " ORDER BY expires_at LIMIT 1 OFFSET ?", (run.resume_at, run.expires_before, limit)).fetchone()
        end = run.expires_before if past_batch is None else past_batch[0]
        if end > run.resume_at:
            deleted = self._delete_range(connection, table, run.resume_at, end)
            if deleted is not None:
                run.resume_at = end
                return deleted, past_batch is None
        # More than ``limit`` rows share the oldest expiry, or Barycenter holds one of them.
        expiries = [row[0] for row in connection.execute(
            self.delete_rows.format(table=table), (run.resume_at, run.expires_before, limit))]
        run.resume_at = max(expiries, default=run.resume_at)
        return len(expiries), len(expiries) < limit

    def _delete_range(self, connection, table: str, start, end) -> Optional[int]:
        return connection.execute(f'DELETE FROM "{table}" WHERE expires_at >= ? AND expires_at < ?',
                                  (start, end)).rowcount

    def record_failed_start(self, failure: "_Failure") -> bool:
        """Log a run that failed before it could write its row, unless another process ran
        its firing meanwhile (False)."""
        with self._write() as connection:
            (last_firing,) = connection.execute(
                "SELECT last_firing FROM barycenter_jobs_state WHERE job_name = ?" + self.lock_state_row,
                (failure.job.name,)).fetchone() or (None,)
            if failure.firing is not None and last_firing is not None and last_firing >= failure.firing:
                return False
            insert = f"INSERT INTO job_executions ({LOG_COLUMNS}) VALUES (?, ?, ?, 0, ?, 0) RETURNING id"
            self._insert_run(connection, insert, (failure.job.name, failure.started_at, failure.completed_at,
                                                  failure.message), failure.started_by)
            return True

    def complete_run(self, run: "RunContext", now: int, error: Optional[str]) -> None:
        """Record the run's end and release its lease, in one transaction; a run another
        process resolved meanwhile keeps what that process wrote."""
        with self._write() as connection:
            connection.execute(CLEAR_LEASE + " WHERE job_name = ? AND lease_owner = ? AND lease_run_id = ?",
                               (run.job.name, run.owner, run.run_id))
            connection.execute(
                "UPDATE job_executions SET completed_at = ?, success = ?, error_message = ?,"
                " records_processed = coalesce(records_processed, 0) WHERE id = ? AND completed_at IS NULL",
                (now, int(error is None), error, run.run_id))

    def prune_history(self, started_before: int, batch: int = 1000, max_batches: int = 100) -> int:
        """Delete, in at most ``max_batches`` short batches, finished runs counted for good
        that started before ``started_before`` or at no time at all; returns how many."""
        total = 0
        counted_before = ("coalesce((SELECT counted_before FROM barycenter_jobs_state AS state"
                          " WHERE state.job_name = job_executions.job_name), ?)")
        for _ in range(max_batches):
            with self._write() as connection:
                ids = [row[0] for row in connection.execute(
                    "SELECT id FROM job_executions WHERE (started_at >= ? OR (started_at < ? AND"
                    f" started_at < {counted_before})) AND completed_at IS NOT NULL LIMIT ?",
                    (MAX_EPOCH, started_before, started_before, batch)).fetchall()]
                if ids:
                    marks = ", ".join("?" * len(ids))
                    connection.execute(f"DELETE FROM barycenter_jobs_runs WHERE run_id IN ({marks})", ids)
                    connection.execute(f"DELETE FROM job_executions WHERE id IN ({marks})", ids)
            total += len(ids)
            if len(ids) < batch:
                break
        return total

    def count_history(self, now: int) -> None:
        """Count for good, hourly per job, finished runs a day old (job_states adds newer
        ones), so /metrics never goes down; read outside any transaction, added once."""
        connection = self.connection()
        for name, counted_before in connection.execute(
                "SELECT job_name, counted_before FROM barycenter_jobs_state").fetchall():
            (unfinished,) = connection.execute(
                "SELECT min(started_at) FROM job_executions WHERE job_name = ? AND completed_at IS NULL"
                " AND started_at >= 0 AND started_at < ?", (name, MAX_EPOCH)).fetchone()
            before = min(now - 86400, now if unfinished is None else int(unfinished))
            if before < counted_before + 3600:
                continue
            counts = connection.execute(
                f"SELECT {', '.join(RUN_COUNTS)} FROM job_executions WHERE job_name = ? AND started_at >= ?"
                " AND started_at < ? AND completed_at IS NOT NULL", (name, counted_before, before)).fetchone()
            with self._write() as writing:
                writing.execute(
                    "UPDATE barycenter_jobs_state SET counted_before = ?,"
                    " counted_succeeded = counted_succeeded + ?, counted_failed = counted_failed + ?,"
                    " counted_records = counted_records + ? WHERE job_name = ? AND counted_before = ?",
                    (before, *map(int, counts), name, counted_before))

    def set_paused(self, job_name: str, now: int, paused_by: Optional[str] = None,
                   reason: Optional[str] = None) -> bool:
        """Pause a job (``paused_by`` says who), or resume it (None); False if it already was so."""
        paused = int(paused_by is not None)
        with self._write() as connection:
            self._add_state_rows(connection, [job_name], now)
            return bool(connection.execute(
                "UPDATE barycenter_jobs_state SET paused = ?, resumed_at = CASE WHEN ? = 1 THEN resumed_at"
                " ELSE ? END, paused_at = ?, paused_by = ?, pause_reason = ?"
                " WHERE job_name = ? AND paused != ?",
                (paused, paused, now, now if paused else None, paused_by, reason, job_name, paused)).rowcount)

    def cancel(self, job_name: str, cancelled_by: str, now: int) -> bool:
        """Ask the process running the job to stop at its next batch; False if none runs it."""
        with self._write() as connection:
            running, parameters = self._running(self._lease_now(connection, now))
            return bool(connection.execute(
                f"UPDATE barycenter_jobs_state SET cancelled_by = ? WHERE job_name = ? AND {running}",
                (cancelled_by, job_name, *parameters)).rowcount)

    # -- reading ---------------------------------------------------------------

    def _runs(self, sql: str, parameters: Iterable) -> list[dict]:
        return [_job_log(row) for row in self.connection().execute(sql, tuple(parameters))]

    def get_run(self, run_id: int) -> Optional[dict]:
        runs = self._runs(f"SELECT {RUN_COLUMNS} FROM job_executions WHERE id = ?", (run_id,))
        return runs[0] if runs else None

    def list_runs(self, job_name: Optional[str], limit: int, only_failures: bool, *,
                  since: Optional[int] = None, until: Optional[int] = None,
                  before: Optional[tuple[int, int]] = None) -> list[dict]:
        """Runs newest first (started_at, then id), filtered as runs_query says."""
        sql, parameters = runs_query(job_name, only_failures, since, until, before)
        return self._runs(sql, (*parameters, limit))

    def run_position(self, run_id: int) -> Optional[tuple[int, int]]:
        """(started_at, id) of a run: where a ``before`` cursor points."""
        row = self.connection().execute("SELECT started_at, id FROM job_executions WHERE id = ?",
                                        (run_id,)).fetchone()
        return None if row is None else (row[0], row[1])

    def last_run(self, job_name: str) -> Optional[dict]:
        """The newest run whose start time can be shown."""
        runs = self.list_runs(job_name, 1, False, since=0, until=MAX_EPOCH)
        return runs[0] if runs else None

    def job_states(self, now: int, *, rows_written: bool = False) -> dict[str, dict]:
        """Per job, in one statement: its state row, counts, newest run and success (None
        for a time that is none). A missing state row is written again."""
        running, parameters = self._running(now)
        newest = "FROM job_executions WHERE job_name = state.job_name AND started_at >= 0 AND started_at < ?"
        uncounted = ("FROM job_executions WHERE job_name = state.job_name AND started_at >= counted_before"
                     " AND started_at < ? AND completed_at IS NOT NULL")
        succeeded, failed, records = RUN_COUNTS
        cursor = self.connection().execute(
            f"SELECT job_name, paused, {running} AS running, resumed_at, paused_at, paused_by, pause_reason,"
            f" counted_succeeded + (SELECT {succeeded} {uncounted}) AS runs_succeeded,"
            f" counted_failed + (SELECT {failed} {uncounted}) AS runs_failed,"
            f" counted_records + (SELECT {records} {uncounted}) AS records_deleted,"
            f" (SELECT started_at {newest} ORDER BY started_at DESC LIMIT 1) AS last_started_at,"
            f" (SELECT completed_at {newest} ORDER BY started_at DESC, id DESC LIMIT 1) AS last_completed_at,"
            f" (SELECT completed_at {newest} AND success = 1"
            "  ORDER BY started_at DESC LIMIT 1) AS last_success_at"
            " FROM barycenter_jobs_state AS state", (*parameters, *[MAX_EPOCH] * 6))
        names = [column[0] for column in cursor.description]
        states = {row[0]: dict(zip(names, row)) for row in cursor}
        if not set(self.job_names) <= set(states) and not rows_written and not self.read_only:
            with self._write() as connection:
                self._add_state_rows(connection, self.job_names, now)
            return self.job_states(now, rows_written=True)
        for state in states.values():
            for column in ("resumed_at", "paused_at", "last_started_at", "last_completed_at",
                           "last_success_at"):
                state[column] = _epoch(state[column])
            for column in ("runs_succeeded", "runs_failed", "records_deleted"):
                state[column] = int(state[column])  # PostgreSQL sums to a decimal
        for name in set(self.job_names) - set(states):  # read only: as a new row would be
            states[name] = {**dict.fromkeys(names), "job_name": name, "resumed_at": now}
        return states

    def expired_records(self, table: str, now: int) -> int:
        """Expired rows of ``table``, up to EXPIRED_RECORDS_CAP, counted once every BACKLOG_SECONDS."""
        with self._backlog_lock:
            counted_at, rows = self._backlog.get(table, (None, 0))
            if counted_at is None or not 0 <= now - counted_at < BACKLOG_SECONDS:
                rows = self.connection().execute(
                    f'SELECT count(*) FROM (SELECT 1 FROM "{table}" WHERE expires_at < ? LIMIT ?) AS expired',
                    (now, EXPIRED_RECORDS_CAP)).fetchone()[0]
                self._backlog[table] = (now, rows)
            return rows

    def forget_backlog(self, table: str) -> None:
        """After a run: counted again when next asked (after a count in progress, not before)."""
        with self._backlog_lock:
            self._backlog.pop(table, None)


class SQLiteStorage(Storage):
    """A SQLite file in WAL mode. Writes take the write lock up front (``BEGIN
    IMMEDIATE``), so the busy timeout applies instead of a deadlock."""

    types = {"text": "TEXT", "integer": "INTEGER", "id": "INTEGER PRIMARY KEY AUTOINCREMENT"}
    delete_rows = ('DELETE FROM "{table}" WHERE rowid IN (SELECT rowid FROM "{table}"'
                   " WHERE expires_at >= ? AND expires_at < ? ORDER BY expires_at LIMIT ?)"
                   " RETURNING expires_at")

    def __init__(self, path: str, busy_timeout: float = BUSY_TIMEOUT_SECONDS, *,
                 display: Optional[str] = None):
        super().__init__(display or path, busy_timeout)
        self.path = path  # a file name, or a file: URI (from a sqlite:// URL)
        self._write_turn = threading.Lock()  # this process's writes, one at a time (see _write)

    @property
    def file(self) -> str:
        """The database file's path (a file: URI's, unquoted)."""
        return unquote(self.path[5:].partition("?")[0]) if self.path.startswith("file:") else self.path

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: no implicit transactions; we say BEGIN ourselves.
        connection = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None,
                                     uri=self.path.startswith("file:"))
        try:
            # NORMAL is safe with WAL; checkpoints at 200 pages, before Barycenter's (1000).
            connection.executescript("PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 200;"
                                     f" PRAGMA journal_size_limit = {64 * 1024 * 1024}")
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    def _disconnect(self, connection: sqlite3.Connection) -> None:
        connection.close()

    @contextlib.contextmanager
    def _write(self, settings: str = ""):
        """BEGIN IMMEDIATE, in turns, within the busy timeout; the lock then stays free a quarter
        as long, so Barycenter's writers find it free between two of ours."""
        connection = self.connection()
        deadline = time.monotonic() + self.busy_timeout
        if not self._write_turn.acquire(timeout=self.busy_timeout):
            error = sqlite3.OperationalError("database is locked")
            error.sqlite_errorname = "SQLITE_BUSY"
            raise error
        try:
            connection.execute(f"PRAGMA busy_timeout = {max(1, int((deadline - time.monotonic()) * 1000))}")
            connection.execute("BEGIN IMMEDIATE")
            began = time.monotonic()
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            finally:
                time.sleep(max(0.001, (time.monotonic() - began) / 4))
        finally:
            self._write_turn.release()

    @contextlib.contextmanager
    def _setting_up(self):
        # Readers go on while a cleanup writes; the file keeps the mode, for Barycenter too.
        mode = self.connection().execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            log.warning("database %s stays in journal mode %s; WAL is not available", self.display, mode)
        with self._write() as connection:
            yield connection

    def open_to_read(self, job_names: Iterable[str]) -> None:
        super().open_to_read(job_names)
        self.path = f"file:{quote(self.file)}?mode=ro"  # WAL: no wait for a writer, ever


class _QmarkConnection:
    """A psycopg connection that takes the shared SQL's ``?`` parameters as ``%s``."""

    def __init__(self, connection):
        self.raw = connection

    def execute(self, sql: str, parameters: tuple = ()):
        return self.raw.execute(sql.replace("?", "%s"), parameters)


class PostgresStorage(Storage):
    """Barycenter's PostgreSQL, for replicas, direct or pooled in any mode: nothing outlives
    a transaction. Leases go by the database's clock; connections come from a pool."""

    # SeaORM's string() is varchar, its big_integer() bigint.
    types = {"text": "VARCHAR", "integer": "BIGINT", "id": "BIGSERIAL PRIMARY KEY"}
    # idx_job_executions_started ending with the id, and how often each job fails.
    extra_ddl = """
CREATE INDEX IF NOT EXISTS barycenter_jobs_idx_started ON job_executions (started_at, id);
CREATE STATISTICS IF NOT EXISTS barycenter_jobs_stats_job_success (mcv)
    ON job_name, success FROM job_executions;
"""
    lock_state_row = " FOR UPDATE"  # claims of one job queue on its state row
    # A batch does not wait for the disk (a lost commit is deleted again), walks the index
    # whatever the statistics (a sort reads all), and, past its state row, waits 20 ms for a
    # row Barycenter holds.
    batch_settings = "SET LOCAL synchronous_commit = off; SET LOCAL enable_sort = off"
    rows_wait = "SET LOCAL lock_timeout = 20"
    # Rows another transaction has locked are skipped, never waited for.
    delete_rows = ('DELETE FROM "{table}" WHERE ctid = ANY(ARRAY(SELECT ctid FROM "{table}"'
                   " WHERE expires_at >= ? AND expires_at < ? ORDER BY expires_at LIMIT ?"
                   " FOR UPDATE SKIP LOCKED)) RETURNING expires_at")

    def __init__(self, url: str, busy_timeout: float = BUSY_TIMEOUT_SECONDS):
        import psycopg  # only PostgreSQL users need it, and it is slow to import
        from psycopg_pool import ConnectionPool, PoolTimeout

        super().__init__(_postgres_display(url), busy_timeout)
        self.url = url
        self.errors = (psycopg.Error,)
        self._psycopg = psycopg
        self._pool_class = ConnectionPool
        self._pool_timeout = PoolTimeout
        self._pool = None

    def _connect(self) -> _QmarkConnection:
        try:
            return _QmarkConnection(self._pool.getconn())
        except self._pool_timeout:
            stats = self._pool.get_stats()
            if stats["pool_size"] >= POSTGRES_POOL_SIZE and not stats["pool_available"]:
                raise self._pool_timeout(f"all {POSTGRES_POOL_SIZE} database connections are busy") from None
            raise self._pool_timeout(f"no database connection within {POSTGRES_POOL_WAIT_SECONDS:g} s:"
                                     " is PostgreSQL reachable?") from None

    def _disconnect(self, connection: _QmarkConnection) -> None:
        self._pool.putconn(connection.raw)  # rolls back what is left open; drops it if broken

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

    @contextlib.contextmanager
    def _write(self, settings: str = ""):
        # In one round trip: no statement runs 30 s or waits past the busy timeout.
        connection = self.connection()
        connection.execute(f"BEGIN; SET LOCAL lock_timeout = {int(self.busy_timeout * 1000)};"
                           " SET LOCAL statement_timeout = 30000;"
                           f" SET LOCAL idle_in_transaction_session_timeout = 30000; {settings}")
        try:
            yield connection
            connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(self._psycopg.Error):  # a broken connection is dropped by the pool
                connection.execute("ROLLBACK")
            raise

    @contextlib.contextmanager
    def _setting_up(self):
        """A connection of its own (its errors say why it failed), under a lock
        so that replicas starting together take turns; then the pool."""
        with self._psycopg.connect(self.url, **POSTGRES_CONNECT_OPTIONS) as connection:
            with connection.transaction():
                # No timeout for the first index build on a long history.
                connection.execute(f"SET LOCAL lock_timeout = {int(self.busy_timeout * 1000)};"
                                   " SET LOCAL statement_timeout = 0")
                connection.execute("SELECT pg_advisory_xact_lock(%s, 0)", (ADVISORY_LOCK_SPACE,))
                yield _QmarkConnection(connection)
        self._open_pool()

    def open_to_read(self, job_names: Iterable[str]) -> None:
        super().open_to_read(job_names)
        self._open_pool()

    def _open_pool(self) -> None:
        self._pool = self._pool_class(
            self.url, kwargs=POSTGRES_CONNECT_OPTIONS, min_size=1, max_size=POSTGRES_POOL_SIZE,
            check=self._pool_class.check_connection,
            timeout=POSTGRES_POOL_WAIT_SECONDS, num_workers=1, name="barycenter-jobs", open=True)

    def _create(self, connection, statements: list[str]) -> None:
        """Only what is missing: even ``CREATE INDEX IF NOT EXISTS`` locks a
        table whose index exists. New statistics are empty until ANALYZE."""
        missing = [statement for statement in statements if not connection.execute(
            "SELECT to_regclass(?) IS NOT NULL OR EXISTS (SELECT 1 FROM pg_statistic_ext WHERE stxname = ?)",
            (re.search(r"IF NOT EXISTS (\w+)", statement)[1],) * 2).fetchone()[0]]
        super()._create(connection, missing)
        if missing:
            connection.execute("ANALYZE job_executions")

    def _lease_now(self, connection, now: int) -> int:
        return connection.execute("SELECT extract(epoch FROM now())::bigint").fetchone()[0]

    def _running(self, now: int) -> tuple[str, tuple]:
        return "(lease_owner IS NOT NULL AND lease_expires_at > extract(epoch FROM now()))", ()

    def _delete_range(self, connection, table, start, end) -> Optional[int]:
        try:
            with connection.raw.transaction():  # a savepoint
                return super()._delete_range(connection, table, start, end)
        except self._psycopg.errors.LockNotAvailable:
            return None  # Barycenter holds one of these rows


def _postgres_display(conninfo: str) -> str:
    """postgresql://USER@HOST:PORT/NAME from libpq's own reading of the string:
    never its password. ``ConfigError`` for a string libpq would misread."""
    from psycopg.conninfo import conninfo_to_dict

    # An unencoded "@" or "/" would move a piece of the password into the host or name.
    scheme, separator, rest = conninfo.partition("://")
    authority, _, path = rest.partition("/")
    if separator and (authority.count("@") > 1 or "@" in path.partition("?")[0]):
        raise ConfigError("the PostgreSQL URL has an @ that does not end the user name and password;"
                          " percent-encode @ and / in the password (%40, %2F)")
    try:
        params = conninfo_to_dict(conninfo)
    except Exception:  # libpq's message may quote a piece of the password
        raise ConfigError("libpq cannot read the PostgreSQL connection string: in a URL, percent-encode"
                          " the password's % @ / as %25 %40 %2F; in key=value form, quote a value with"
                          " spaces ('...'); a SQLite file whose name holds = is written ./NAME") from None
    user = quote(params["user"], safe="") + "@" if params.get("user") else ""
    name = quote(params.get("dbname", ""), safe="")
    host = params.get("host") or params.get("hostaddr") or ""
    if host.startswith("/"):  # the folder of a Unix socket
        return f"postgresql://{user}/{name}?host={quote(host)}"
    port = f":{quote(params['port'], safe=',')}" if params.get("port") else ""
    return f"postgresql://{user}{quote(host, safe=',:[]')}{port}/{name}"


def runs_query(job_name: Optional[str], only_failures: bool, since: Optional[int] = None,
               until: Optional[int] = None, before: Optional[tuple[int, int]] = None) -> tuple[str, list]:
    """The SELECT behind jobLogs, newest first: each filter reads an index in that order
    (HISTORY_INDEXES; a test checks the plans)."""
    conditions, parameters = [], []
    if job_name is not None:
        conditions.append("job_name = ?")
        parameters.append(job_name)
    if only_failures:
        conditions.append("success = 0")  # literally so: it selects the partial indexes
    if since is not None:
        conditions.append("started_at >= ?")
        parameters.append(since)
    if until is not None:
        conditions.append("started_at < ?")
        parameters.append(until)
    if before is not None:
        # A range of the index, then the few runs that started the same second.
        conditions.append("started_at <= ? AND (started_at < ? OR id < ?)")
        parameters.extend([before[0], before[0], before[1]])
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    sql = f"SELECT {RUN_COLUMNS} FROM job_executions {where} ORDER BY started_at DESC, id DESC LIMIT ?"
    return sql, parameters


def _process_owner_name() -> str:
    """A lease holder's name: host, PID namespace, PID, and a random part per app."""
    return f"{socket.gethostname()}:{_pid_namespace()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _pid_namespace() -> str:
    """The PID namespace's inode: containers may share a host name and a database, and a
    process ID means nothing outside its namespace. "-" without /proc."""
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return "-"


def _is_dead_local_process(owner: str) -> bool:
    """Whether the owner was a process here that is gone (others' leases expire)."""
    parts = owner.split(":")  # host:namespace:pid:random
    if (len(parts) != 4 or parts[0] != socket.gethostname() or parts[1] != _pid_namespace()
            or not parts[2].isdigit()):
        return False
    try:
        os.kill(int(parts[2]), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, under another user
        return False
    return False


# The job_executions columns a JobLog is made of (see _job_log), and how we started the run.
RUN_COLUMNS = ("id, job_name, started_at, completed_at, success, error_message, records_processed,"
               " (SELECT started_by FROM barycenter_jobs_runs WHERE run_id = id)")


def _job_log(row: tuple) -> dict:
    """A job_executions row as the API shows it, keyed by the JobLog field
    names: the id as text, times as ISO 8601 UTC, success as a bool or None."""
    run_id, job_name, started_at, completed_at, success, error_message, records_processed, trigger = row
    return {
        "id": str(run_id),
        "jobName": job_name,
        "startedAt": _iso_epoch(started_at),
        "completedAt": _iso_epoch(completed_at),
        "success": None if success is None else bool(success),
        "errorMessage": error_message,
        "recordsProcessed": records_processed,
        "trigger": trigger,
        "durationSeconds": (None if None in (_epoch(started_at), _epoch(completed_at))
                            else completed_at - started_at),
    }


# == Jobs: the one code path every run goes through ===========================


@dataclass(frozen=True)
class RunOutcome:
    """What became of a request to run a job."""

    status: RunStatus
    run_id: Optional[int] = None
    records: Optional[int] = None
    error: Optional[str] = None


@dataclass
class RunContext:
    """A run in progress, as the storage needs to know it."""

    job: JobSpec
    run_id: int
    owner: str
    expires_before: int  # rows expiring before this second are deleted
    records: int = 0     # rows deleted so far
    resume_at: int = -2**63  # where the next batch starts: the last batch's newest expiry


class _Failure(NamedTuple):
    """A failed run not yet written to the history."""

    job: JobSpec
    run: Optional[RunContext]  # None: it never got its row
    firing: Optional[int]
    started_at: int
    completed_at: int
    message: str
    started_by: str

    def __str__(self) -> str:
        return f"{f'run {self.run.run_id}' if self.run else 'its run'} started {_iso_epoch(self.started_at)}"


class JobRunner:
    """Runs jobs, one run of each at a time on the database, and logs every run."""

    def __init__(self, storage: Storage, jobs: Iterable[JobSpec], clock: Callable[[], float], *,
                 log_retention_days: int = LOG_RETENTION_DAYS):
        self.storage = storage
        self.clock = clock
        self.jobs = {job.name: job for job in jobs}
        self.log_retention_days = log_retention_days
        self.owner = _process_owner_name()
        self._locks = {name: threading.Lock() for name in self.jobs}
        self._stopping = threading.Event()
        # Failures the database refused when they happened, oldest first.
        self.unrecorded: collections.deque[_Failure] = collections.deque()

    def is_running(self, job_name: str) -> bool:
        """Whether this process is running the job now."""
        return self._locks[job_name].locked()

    def next_run(self, job_name: str, paused: Any, now: float) -> Optional[datetime]:
        """The job's next firing; none while it is paused."""
        return None if paused else next_fire_time(self.jobs[job_name].trigger, now)

    def stop(self) -> None:
        """Refuse new runs and make runs in progress stop at their next batch."""
        self._stopping.set()

    def run_scheduled(self, job_name: str) -> RunOutcome:
        """The scheduler's entry point: a run for the firing that is due now."""
        firing = latest_fire_time(self.jobs[job_name].trigger, self.clock(), MISFIRE_GRACE_SECONDS)
        if firing is None:
            return self.run(job_name, "scheduled")
        return self.run(job_name, f"scheduled for {_iso_epoch(firing)}", int(firing.timestamp()))

    def run(self, job_name: str, source: str = "manual", firing: Optional[int] = None) -> RunOutcome:
        """Run a job now, in this thread, unless it runs anywhere, ``firing`` ran, or it is paused
        and the run not "manual" (``source``: manual, command line, scheduled [for ...]). A failure
        is logged and returned, never raised."""
        job = self.jobs.get(job_name)
        if job is None:
            return RunOutcome(RunStatus.UNKNOWN_JOB)
        if self._stopping.is_set():
            return RunOutcome(RunStatus.SHUTTING_DOWN)
        lock = self._locks[job_name]
        if not lock.acquire(blocking=False):
            log.info("job %s (%s) not started: %s", job_name, source, RunStatus.ALREADY_RUNNING.reason)
            return RunOutcome(RunStatus.ALREADY_RUNNING)
        try:
            return self._run_locked(job, source, firing)
        finally:
            lock.release()
            self.storage.release()
            self.storage.forget_backlog(job.table)

    def _run_locked(self, job: JobSpec, source: str, firing: Optional[int]) -> RunOutcome:
        started, started_by = time.monotonic(), source.split(" for ")[0]  # manual, command line, scheduled
        now = int(self.clock())
        run = None
        try:
            self.record_unrecorded_failures()
            claim = self.storage.claim(job.name, self.owner, now, firing, started_by)
            if isinstance(claim, RunStatus):
                log.info("job %s (%s) not started: %s", job.name, source, claim.reason)
                return RunOutcome(claim)
            run = RunContext(job, claim, self.owner, expires_before=now)
            self._delete_expired(run)
            self.storage.complete_run(run, int(self.clock()), None)
        except Exception as error:  # a failing job must never stop the scheduler or server
            message = describe_error(error)
            # The failure is written on a fresh connection: this one may be broken.
            self.storage.release()
            self.unrecorded.append(_Failure(job, run, firing, now, int(self.clock()), message, started_by))
            if run is not None:  # else the database refused the run's first write: try again later
                with contextlib.suppress(Exception):  # logged; the scheduler tries again
                    self.record_unrecorded_failures()
            log.warning("job %s (%s) failed after %.3fs: %s%s", job.name, source, time.monotonic() - started,
                        message, "" if run is None else f" ({run.records} records deleted before)")
            return RunOutcome(RunStatus.FAILED, run and run.run_id, run and run.records, error=message)
        log.info("job %s (%s) succeeded: %d records in %.3fs",
                 job.name, source, run.records, time.monotonic() - started)
        self._prune_history()
        return RunOutcome(RunStatus.SUCCEEDED, run.run_id, run.records)

    def _delete_expired(self, run: RunContext) -> None:
        """Delete in batches of BATCH_ROWS; stop at a batch boundary on shutdown."""
        while True:
            if self._stopping.is_set():
                raise RuntimeError("interrupted by shutdown")
            deleted, last = self.storage.delete_batch(run, BATCH_ROWS, int(self.clock()))
            run.records += deleted
            if last:
                return

    def record_unrecorded_failures(self) -> None:
        """Write the failures the database refused (unless another process ran the firing);
        raises if it still refuses. Each failure is taken by one thread."""
        while self.unrecorded:
            try:
                failure = self.unrecorded.popleft()
            except IndexError:
                return  # another thread took the last one
            try:
                if failure.run is not None:
                    self.storage.complete_run(failure.run, failure.completed_at, failure.message)
                elif not self.storage.record_failed_start(failure):
                    log.info("job %s: its firing at %s ran in another process; its failure here is not a"
                             " run", failure.job.name, _iso_epoch(failure.firing))
            except Exception as error:
                self.unrecorded.appendleft(failure)
                log.warning("job %s: the failure of %s is not recorded yet (%s); trying again in %d s",
                            failure.job.name, failure, describe_error(error), RETRY_SECONDS)
                raise

    def log_unrecorded_failures(self) -> None:
        """At a stop: one ERROR line for each failure the database never took."""
        for failure in self.unrecorded:
            log.error("job %s: the failure of %s is lost: the database did not take it before the stop (%s)",
                      failure.job.name, failure, failure.message)

    def retry_unrecorded_failures(self) -> None:
        """Every RETRY_SECONDS: write what the database refused, once it allows."""
        if self.unrecorded:
            with contextlib.suppress(Exception):  # logged; tried again next time
                self.record_unrecorded_failures()
            self.storage.release()

    def _prune_history(self) -> None:
        """Count the runs a day old for good (for /metrics), then prune the history."""
        try:
            self.storage.count_history(int(self.clock()))
        except self.storage.errors as error:
            log.warning("could not count the job history: %s", describe_error(error))
        if not self.log_retention_days:
            return
        cutoff = int(self.clock()) - self.log_retention_days * 86400
        try:
            pruned = self.storage.prune_history(cutoff)
        except self.storage.errors as error:
            log.warning("could not prune the job history: %s", describe_error(error))
            return
        if pruned:
            log.info("pruned %d job log row(s) older than %d days", pruned, self.log_retention_days)


def describe_error(error: Exception) -> str:
    """The text an operator reads in errorMessage and in the log: one line."""
    # PostgreSQL's own words without the lines of context libpq adds.
    text = (getattr(getattr(error, "diag", None), "message_primary", None)
            or str(error) or type(error).__name__)
    # libpq writes a sentence a line: keep them apart on the one line.
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    text = _printable(" ".join([line if line.endswith((".", ":", ";", "?", "!")) else line + "."
                                for line in lines[:-1]] + lines[-1:]))
    if isinstance(error, OSError) and error.errno == errno.EMFILE or _out_of_descriptors(error):
        return f"{text} (too many open files: raise the process's limit, ulimit -n or systemd's LimitNOFILE)"
    if _lock_timeout(error):
        who = "transaction held a lock" if getattr(error, "sqlstate", None) else "writer held the lock"
        return f"{text} (another {who} past the busy timeout)"
    code = getattr(error, "sqlite_errorname", "")  # Python 3.11 and later
    if code.startswith(("SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_FULL")):
        return f"{text} ({code}: the database file cannot be written; is it read-only, or the disk full?)"
    if code.startswith("SQLITE_CANTOPEN"):  # SQLite must also create its -wal and -shm files beside it
        return f"{text} ({code}: is its folder missing, or read-only?)"
    return text


def _lock_timeout(error: Exception) -> bool:
    return (getattr(error, "sqlstate", None) == "55P03"  # PostgreSQL's lock_not_available
            or getattr(error, "sqlite_errorname", "").startswith("SQLITE_BUSY")
            or str(error) == "database is locked")


def _out_of_descriptors(error: Exception) -> bool:
    """Whether SQLite's "unable to open database file" came from the limit on open files."""
    if not getattr(error, "sqlite_errorname", "").startswith("SQLITE_CANTOPEN"):
        return False
    soft_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    try:  # SQLite opens up to three files for a connection: close to the limit is at it
        return soft_limit != resource.RLIM_INFINITY and len(os.listdir("/proc/self/fd")) > soft_limit - 8
    except OSError as error:  # even this could not open one; or there is no /proc
        return error.errno == errno.EMFILE


# Escaped as http.server does: text from outside never reaches a terminal or a log raw.
_ESCAPES = {**{c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7f, 0xa0))},
            0x2028: "\\u2028", 0x2029: "\\u2029", ord("\\"): "\\\\"}


def _printable(text: str) -> str:
    return text.translate(_ESCAPES)


# == GraphQL: resolvers, error reporting, query limits ========================


def _bind_resolvers(runner: JobRunner) -> list:
    """Ariadne bindables for schema.graphql, over one app's runner."""
    query, mutation, job_type = QueryType(), MutationType(), ObjectType("Job")

    def job_state(info, name: str) -> dict:
        """The job's row of Storage.job_states, read once per request."""
        states = info.context.get("job_states")
        if states is None:
            states = info.context["job_states"] = runner.storage.job_states(int(runner.clock()))
        return states[name]

    @query.field("availableJobs")
    def resolve_available_jobs(*_):
        return [{"name": job.name, "description": job.description, "schedule": job.schedule}
                for job in runner.jobs.values()]

    @job_type.field("nextRunAt")
    def resolve_next_run_at(job, info):
        paused = job_state(info, job["name"])["paused"]
        return _iso_epoch(runner.next_run(job["name"], paused, runner.clock()))

    @job_type.field("lastRun")
    def resolve_last_run(job, _):
        return runner.storage.last_run(job["name"])

    def as_is(value):
        return value

    for field, column, shown in (("lastSuccessAt", "last_success_at", _iso_epoch),
                                 ("running", "running", bool), ("paused", "paused", bool),
                                 ("pausedAt", "paused_at", _iso_epoch), ("pausedBy", "paused_by", as_is),
                                 ("pauseReason", "pause_reason", as_is)):
        job_type.set_field(field, lambda job, info, column=column, shown=shown:
                           shown(job_state(info, job["name"])[column]))

    @job_type.field("expiredRecords")
    def resolve_expired_records(job, info):
        counted = info.context.setdefault("expired_records", {})  # once per job and request
        if job["name"] not in counted:
            counted[job["name"]] = runner.storage.expired_records(runner.jobs[job["name"]].table,
                                                                  int(runner.clock()))
        return counted[job["name"]]

    @query.field("jobLogs")
    def resolve_job_logs(_, info, job_name=None, limit=None, only_failures=False, since=None, until=None,
                         before=None):
        if limit is None:  # an explicit null: the schema's default
            argument = info.parent_type.fields["jobLogs"].args["limit"]
            limit = value_from_ast(argument.ast_node.default_value, argument.type)
        if not 0 <= limit <= JOB_LOGS_MAX_LIMIT:
            raise GraphQLError(f"limit must be between 0 and {JOB_LOGS_MAX_LIMIT}, got {limit}")
        since, until = _parse_time("since", since), _parse_time("until", until)
        position = None
        if before is not None:
            if not (before.isascii() and before.isdigit()):
                raise GraphQLError(
                    f"before must be the id of a run, a whole number such as \"42\"; got {before!r}")
            if int(before) >= 2**63:
                raise GraphQLError(f"before: {before} is past the largest id a run can have, {2**63 - 1}")
            position = runner.storage.run_position(int(before))
            if position is None:
                raise GraphQLError(
                    f"before: no run has id {before}; it may have been pruned by the log retention")
        _spend_rows(info.context, limit)
        return runner.storage.list_runs(job_name, limit, bool(only_failures), since=since, until=until,
                                        before=position)

    def audit(info, verb: str, job_name: str) -> str:
        """Who asked, logged at INFO for every mutation (never the token itself); returned as
        the pause or cancel records it: "the admin token from 10.0.0.5"."""
        environ = info.context["request"]
        address = environ.get("REMOTE_ADDR")
        token = {"admin": "the admin", "read": "the read"}.get(environ.get(ACCESS), "no")
        log.info("%s: %s of %s requested with %s token", address, verb, _printable(job_name), token)
        return f"{address}, with no token" if token == "no" else f"{token} token from {address}"

    @mutation.field("triggerJob")
    def resolve_trigger_job(_, info, job_name):
        audit(info, "a run", job_name)
        outcome = runner.run(job_name, source="manual")
        return {
            "success": outcome.status is RunStatus.SUCCEEDED,
            "message": outcome.status.message.format(job=job_name, error=outcome.error),
            "jobName": job_name,
            "execution": runner.storage.get_run(outcome.run_id) if outcome.run_id is not None else None,
        }

    def steer(_, info, job_name: str, verb: str, reason: Optional[str] = None) -> dict:
        """pauseJob, resumeJob and cancelJob: the same answers as the command line's."""
        if reason is not None and len(reason) > MAX_PAUSE_REASON:
            raise GraphQLError(f"reason must be at most {MAX_PAUSE_REASON} characters, got {len(reason)}")
        who = audit(info, f"a {verb}", job_name)
        success, message = steer_job(runner, job_name, verb, who, reason)
        return {"success": success, "message": message, "jobName": job_name, "execution": None}

    for verb in ("pause", "resume", "cancel"):
        mutation.set_field(f"{verb}Job", functools.partial(steer, verb=verb))

    return [query, mutation, job_type]


# What pausing, resuming and cancelling say when they act, and when there was nothing to do;
# the command line's verbs.
STEERING = {"pause": ("paused", "already paused"), "resume": ("resumed", "not paused"),
            "cancel": ("cancelled", "not running")}
COMMANDS = ("run", *STEERING)


def steer_job(runner: JobRunner, job_name: str, verb: str, who: str, reason: Optional[str] = None
              ) -> tuple[bool, str]:
    """Pause (``who`` and ``reason`` recorded), resume or cancel a job: (done?, message)."""
    if job_name not in runner.jobs:
        return False, RunStatus.UNKNOWN_JOB.message.format(job=job_name)
    now = int(runner.clock())
    done = (runner.storage.cancel(job_name, who, now) if verb == "cancel" else
            runner.storage.set_paused(job_name, now, *([who, reason] if verb == "pause" else [])))
    acted, idle = STEERING[verb]
    if not done:
        return False, f"Job {job_name} is {idle}"
    log.info("job %s %s by %s%s", job_name, acted, who, f": {_printable(reason)}" if reason else "")
    return True, f"Job {job_name} {acted}"


def _parse_time(name: str, value: Optional[str]) -> Optional[int]:
    """An ISO 8601 argument as epoch seconds rounded up (started_at holds whole seconds);
    a date alone is its midnight, no offset means UTC."""
    if value is None:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):  # fromisoformat takes a Z only from Python 3.11 on
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise GraphQLError(f"{name} must be an ISO 8601 date or timestamp such as 2026-02-14T12:00:00Z;"
                           f" got {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return math.ceil(moment.timestamp())


def _iso_epoch(value: Any) -> Optional[str]:
    """A time (from the database) as 2026-02-14T12:00:00Z; None for one that is not a time."""
    seconds = _epoch(value)
    return None if seconds is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _epoch(value: Any) -> Optional[int]:
    """Epoch seconds from a datetime, or from a column another process may have
    written anything into: None unless a number of seconds from 1970 to 9999."""
    if isinstance(value, datetime):
        value = value.timestamp()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < MAX_EPOCH:
        return int(value)
    return None


def _snake_case_arguments(name: str, _schema, path: tuple) -> str:
    """Arguments reach resolvers in snake_case; fields keep their names, since resolvers
    return dicts keyed by them."""
    return convert_camel_case_to_snake(name) if len(path) == 3 else name


def _spend_rows(context: dict, rows: int) -> None:
    """Charge a request for a field's log rows: MAX_ROWS_PER_REQUEST across all its fields,
    however many aliases."""
    if rows > context["rows_left"]:
        raise GraphQLError(f"this request asks for more than {MAX_ROWS_PER_REQUEST} log rows in all;"
                           f" ask for fewer (limit) or split it into several requests")
    context["rows_left"] -= rows


INTERNAL_ERROR = "internal error"


def _internal_message(error: GraphQLError) -> Optional[str]:
    """None for the client's mistakes; for an exception in a resolver, a database fault in a
    run's errorMessage words, else INTERNAL_ERROR: never a bug's text."""
    original = unwrap_graphql_error(error)
    if original is None or original is error or isinstance(original, GraphQLError):
        return None
    psycopg = sys.modules.get("psycopg")  # imported only for PostgreSQL
    sqlite_faults = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_FULL",
                     "SQLITE_CANTOPEN")
    if getattr(original, "sqlite_errorname", "").startswith(sqlite_faults) or (
            psycopg is not None and isinstance(original, psycopg.OperationalError)):
        return describe_error(original)
    return INTERNAL_ERROR


def _format_error(error: GraphQLError, debug: bool = False) -> dict:
    formatted = format_error(error, debug)
    message = _internal_message(error)
    if message is not None:
        formatted = {"message": message, **{key: value for key, value in formatted.items()
                                            if key in ("locations", "path")}}
    return formatted


class _GraphQLErrorLog(logging.LoggerAdapter):
    """Ariadne's error logger: the client's mistakes go to DEBUG; only internal errors are
    logged as errors, with a traceback."""

    def error(self, msg, *args, exc_info=None, **kwargs):
        message = _internal_message(exc_info) if isinstance(exc_info, GraphQLError) else INTERNAL_ERROR
        if message is None:
            self.logger.debug("GraphQL error for the client: %s", _printable(exc_info.message))
        elif message != INTERNAL_ERROR:
            self.logger.warning("a request failed: %s", message)
        else:
            self.logger.error("internal error while resolving a query: %s", msg, exc_info=exc_info)


class _Shape(NamedTuple):
    """What a selection set adds up to, fragments expanded."""

    fields: int
    aliases: int
    depth: int
    names: Mapping[str, int]  # fields per response name at its top level


def _limit_error(document: DocumentNode) -> Optional[GraphQLError]:
    """The first limit a document exceeds, fragments expanded, or None: linear, before
    graphql-core's rules (OverlappingFieldsCanBeMerged is quadratic in same-name fields)."""
    fragments = {definition.name.value: definition for definition in document.definitions
                 if isinstance(definition, FragmentDefinitionNode)}
    fragment_shapes: dict[str, _Shape] = {}

    def shape(selection_set, visiting: frozenset) -> _Shape:
        fields = aliases = depth = 0
        names: collections.Counter = collections.Counter()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                inner = (shape(selection.selection_set, visiting) if selection.selection_set
                         else _Shape(0, 0, 0, {}))
                added = _Shape(1 + inner.fields, (selection.alias is not None) + inner.aliases,
                               1 + inner.depth, {(selection.alias or selection.name).value: 1})
            elif isinstance(selection, InlineFragmentNode):
                added = shape(selection.selection_set, visiting)
            else:  # a fragment spread; unknown fragments and cycles are other rules' errors
                name = selection.name.value
                if name not in fragments or name in visiting:
                    continue
                if name not in fragment_shapes:
                    fragment_shapes[name] = shape(fragments[name].selection_set, visiting | {name})
                added = fragment_shapes[name]
            fields, aliases, depth = fields + added.fields, aliases + added.aliases, max(depth, added.depth)
            names.update(added.names)
            for value, limit, what in (
                    (fields, MAX_QUERY_FIELDS, "fields (aliases included)"),
                    (aliases, MAX_QUERY_ALIASES, "aliases"),
                    (depth, MAX_QUERY_DEPTH, "levels of nested fields"),
                    (max((names[name] for name in added.names), default=0), MAX_SAME_NAME_FIELDS,
                     "fields of one name in one selection set")):
                if value > limit:
                    raise GraphQLError(f"the operation has more than {limit} {what}; the limit is {limit}")
        return _Shape(fields, aliases, depth, names)

    try:
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                shape(definition.selection_set, frozenset())
    except GraphQLError as error:
        return error
    return None


class InvalidDocument(Exception):
    """A document that cannot be executed; its args are the GraphQL errors."""


def _checked_document(schema: GraphQLSchema, query: str) -> DocumentNode:
    """Parse, check the limits, validate: cheapest first. Raises ``InvalidDocument``."""
    if len(query) > MAX_QUERY_CHARACTERS:
        raise InvalidDocument(GraphQLError(f"the query is {len(query)} characters long;"
                                           f" the limit is {MAX_QUERY_CHARACTERS}"))
    try:
        document = parse(query, max_tokens=MAX_QUERY_TOKENS)
    except GraphQLError as error:  # nesting too, before Python's recursion limit
        raise InvalidDocument(error) from None
    error = _limit_error(document)
    errors = [error] if error is not None else validate(schema, document)
    if errors:
        raise InvalidDocument(*errors)
    return document


# == HTTP: GraphQL over HTTP, with what an admin endpoint must refuse =========

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
ACCESS = "barycenter_jobs.access"  # in environ: the token presented (HttpApp._access)
# In environ: call it once the body is read; the connection then keeps its slot.
DELIVERED = "barycenter_jobs.delivered"


class HttpError(Exception):
    """A request refused before GraphQL: answered with its status and a JSON body."""

    def __init__(self, status: str, message: str, headers: Iterable[tuple[str, str]] = ()):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, list(headers)


def _errors(message: str) -> dict:
    """Every refusal's body, in GraphQL's own shape."""
    return {"errors": [{"message": message}]}


def _json_response(start_response, status: str, body: dict, content_type: str = JSON,
                   headers: Iterable[tuple[str, str]] = (), exc_info=None) -> list[bytes]:
    payload = json.dumps(body).encode("ascii")  # non-ASCII text goes as \u escapes
    start_response(status, [
        ("Content-Type", f"{content_type}; charset=utf-8"),
        ("Content-Length", str(len(payload))),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        *headers], exc_info)
    return [payload]


def _media_type(value: str) -> tuple[str, email.message.Message]:
    """A Content-Type or Accept range's type and parameters (``get_param``), parsed by the
    standard library within 1,000 characters: no client sends more."""
    header = email.message.Message()
    header["Content-Type"] = value[:1000]
    return header.get_content_type(), header


def _negotiate(accept: Optional[str]) -> Optional[str]:
    """The answer's media type: GraphQL's own when preferred or equal, JSON
    for ``*/*``, ``application/*`` or no header, None for neither."""
    if not accept or not accept.strip():
        return JSON
    choices = []
    for item in accept[:1000].split(","):
        media_range, header = _media_type(item)
        candidate = {GRAPHQL_RESPONSE_JSON: GRAPHQL_RESPONSE_JSON, JSON: JSON, "application/*": JSON,
                     "*/*": JSON}.get(media_range)
        try:
            quality = float(header.get_param("q", "1"))
        except ValueError:
            quality = 0.0
        if candidate and quality > 0:
            choices.append((quality, candidate == GRAPHQL_RESPONSE_JSON, candidate))
    return max(choices)[2] if choices else None


def _host_name(host: str) -> str:
    """'LocalHost:8081' -> 'localhost', '[::1]:8081' -> '[::1]'."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[:host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")


class HttpApp:
    """The WSGI boundary: Host (403), path (404), token (401, before the body), method (405),
    request (400, 413, 415), Accept (406), read token (403), each a JSON refusal; only then
    Ariadne. App adds ``health()``, ``metrics()`` and ``release()`` (the connection)."""

    def __init__(self, schema: GraphQLSchema, *, allowed_hosts: Optional[Iterable[str]],
                 tokens: Mapping[str, str], max_body_bytes: int, pages: Mapping[str, tuple[bytes, str]]):
        self.schema = schema
        # Turns to execute (see REQUEST_WORKERS): a query, a mutation, a probe.
        self._turns = {"query": threading.BoundedSemaphore(REQUEST_WORKERS),
                       "mutation": threading.BoundedSemaphore(MUTATION_WORKERS),
                       "probe": threading.BoundedSemaphore(1)}
        self.pages = pages  # path -> (body, content type), served to anyone: they hold no data
        self.allowed_hosts = None if allowed_hosts is None else frozenset(h.lower() for h in allowed_hosts)
        self.tokens = {token.encode("utf-8"): access for token, access in tokens.items()}  # -> admin, read
        self.max_body_bytes = max_body_bytes
        self.error_log = _GraphQLErrorLog(log, {})
        # Dashboards repeat queries: valid short documents are kept (never a raised error).
        self._cached_document = functools.lru_cache(maxsize=32)(functools.partial(_checked_document, schema))
        # path -> (whether it needs the token, {method: handler})
        self.routes = {
            ENDPOINT: (True, {"POST": self._post, "GET": self._get}),
            METRICS_PATH: (True, {"GET": self._metrics}),
            HEALTH_PATH: (False, {"GET": self._health}),
            **{path: (False, {"GET": self._page, "HEAD": self._page}) for path in pages if path != ENDPOINT},
        }

    def __call__(self, environ, start_response):
        try:
            return self._handle(environ, start_response)
        except HttpError as refusal:
            return _json_response(start_response, refusal.status, _errors(refusal.message),
                                  headers=refusal.headers)
        except Exception:
            log.exception("internal error serving %s %s", environ.get("REQUEST_METHOD"),
                          _printable(environ.get("PATH_INFO", "")))
            return _json_response(start_response, "500 Internal Server Error", _errors(INTERNAL_ERROR),
                                  exc_info=sys.exc_info())
        finally:
            environ.pop(DELIVERED, lambda: None)()  # answered without reading its body
            self.release()

    def _handle(self, environ, start_response):
        self._check_host(environ)
        path, method = environ.get("PATH_INFO") or "/", environ["REQUEST_METHOD"]
        if path == ENDPOINT and method == "GET" and self._wants_page(environ):
            return self._page(environ, start_response)
        if path not in self.routes:
            raise HttpError("404 Not Found", f"no such path {path}; the API is POST {ENDPOINT}")
        needs_token, handlers = self.routes[path]
        if needs_token:
            environ[ACCESS] = self._access(environ)
        if method not in handlers:
            raise HttpError("405 Method Not Allowed",
                            f"method {method} is not allowed; use {' or '.join(handlers)}",
                            [("Allow", ", ".join(sorted(handlers)))])
        return handlers[method](environ, start_response)

    # -- checks ------------------------------------------------------------

    def _check_host(self, environ) -> None:
        """Refuse a Host this server does not answer to: a DNS rebinding page still sends
        its own name."""
        host = environ.get("HTTP_HOST")
        if host is None and environ.get("SERVER_PROTOCOL") == "HTTP/1.1":
            raise HttpError("400 Bad Request", "an HTTP/1.1 request must have a Host header")
        if self.allowed_hosts is not None and host is not None and _host_name(host) not in self.allowed_hosts:
            raise HttpError("403 Forbidden", "this server does not answer to that Host;"
                                             " add it with --allowed-host if it is yours")

    def _access(self, environ) -> str:
        """Which token the request presents: admin or read; none when the server needs none."""
        if not self.tokens:
            return "none"
        scheme, _, credentials = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        # WSGI headers are latin-1 decoded: encoding them back gives the bytes sent.
        presented = credentials.strip().encode("latin-1", "replace")
        for token, access in self.tokens.items():
            if scheme.lower() == "bearer" and hmac.compare_digest(presented, token):
                return access
        raise HttpError("401 Unauthorized", "a valid bearer token is required",
                        [("WWW-Authenticate", 'Bearer realm="barycenter-jobs"')])

    # -- reading the request ---------------------------------------------------

    def _get(self, environ, start_response):
        """GraphQL parameters from a GET query string."""
        fields = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if "query" not in fields:
            raise HttpError("400 Bad Request", "the query parameter is required"
                                               " (open this URL in a browser for the dashboard)")
        repeated = sorted(name for name, values in fields.items() if len(values) > 1)
        if repeated:
            raise HttpError("400 Bad Request", f"parameter {repeated[0]} is given more than once")
        raw = {name: values[0] for name, values in fields.items()}
        for name in ("variables", "extensions"):
            raw[name] = self._decode_json(raw[name], f"the {name} parameter") if raw.get(name) else None
        return self._execute(environ, start_response, self._graphql_params(raw))

    def _post(self, environ, start_response):
        media_type, header = _media_type(environ.get("CONTENT_TYPE", ""))
        if media_type != JSON:
            # A browser posts text/plain, forms and multipart across sites (CSRF).
            raise HttpError("415 Unsupported Media Type",
                            f"the body must be JSON, sent with Content-Type: {JSON}")
        if header.get_param("charset", "utf-8").lower() not in ("utf-8", "utf8"):
            raise HttpError("415 Unsupported Media Type", "the body must be encoded in utf-8")
        length_text = environ.get("CONTENT_LENGTH") or ""
        if not (length_text.isascii() and length_text.isdigit()):
            raise HttpError("400 Bad Request", "a Content-Length header with the body's size is required")
        length = int(length_text)
        if length > self.max_body_bytes:
            raise HttpError("413 Content Too Large",
                            f"the body is {length} bytes; the limit is {self.max_body_bytes}")
        try:
            body = environ["wsgi.input"].read(length)
        except OSError:  # the client stalled past the read timeout, or went away
            body = b""
        environ.pop(DELIVERED, lambda: None)()
        if len(body) < length:
            raise HttpError("400 Bad Request", "the body is shorter than its Content-Length")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise HttpError("400 Bad Request", "the body is not valid utf-8") from None
        params = self._graphql_params(self._decode_json(text, "the body"))
        return self._execute(environ, start_response, params)

    @staticmethod
    def _decode_json(text: str, what: str) -> Any:
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            raise HttpError("400 Bad Request", f"{what} is not valid JSON") from None

    @staticmethod
    def _graphql_params(raw: Any) -> dict:
        if not isinstance(raw, dict):
            raise HttpError("400 Bad Request", 'the request must be a JSON object: {"query": "..."}')
        if "query" not in raw:
            raise HttpError("400 Bad Request", "the query parameter is required")
        checks = (("query", str, "a string"), ("variables", dict, "an object or null"),
                  ("operationName", str, "a string or null"), ("extensions", dict, "an object or null"))
        for name, kind, expected in checks:
            value = raw.get(name)
            if not isinstance(value, kind) and (value is not None or name == "query"):
                raise HttpError("400 Bad Request", f"{name} must be {expected}")
        params = {"query": raw["query"], "variables": raw.get("variables"),
                  "operationName": raw.get("operationName")}
        try:  # JSON's \u escapes can make text that is not Unicode, which SQLite refuses
            json.dumps(params, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise HttpError("400 Bad Request", "the request holds a lone surrogate (a \\ud800-\\udfff escape"
                                               " outside a pair), which is not valid Unicode") from None
        return params

    # -- answering -------------------------------------------------------------

    @staticmethod
    def _wants_page(environ) -> bool:
        """A browser's GET /admin/jobs: no query, and an Accept that names HTML."""
        return "query" not in parse_qs(environ.get("QUERY_STRING", "")) and "text/html" in environ.get(
            "HTTP_ACCEPT", "")

    def _page(self, environ, start_response):
        """The dashboard, its script and style, and GraphiQL."""
        path = environ.get("PATH_INFO")
        body, content_type = self.pages[path]
        # GraphiQL loads its scripts from a CDN: no Content-Security-Policy there.
        headers = [("X-Frame-Options", "DENY")] if path == PLAYGROUND_PATH else PAGE_HEADERS
        start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body))),
                                  *headers])
        return [body] if environ["REQUEST_METHOD"] == "GET" else []

    @contextlib.contextmanager
    def _turn(self, kind: str):
        """A turn to execute (waited for up to REQUEST_TIMEOUT_SECONDS)."""
        if not self._turns[kind].acquire(timeout=REQUEST_TIMEOUT_SECONDS):
            raise HttpError("503 Service Unavailable", f"the server is busy: every {kind} worker was taken"
                            f" for {REQUEST_TIMEOUT_SECONDS} s; try again", [("Retry-After", "1")])
        try:
            yield
        finally:
            self.release()
            self._turns[kind].release()

    def _health(self, environ, start_response):
        """For monitoring probes: nothing but job names, states and times."""
        with self._turn("probe"):
            healthy, report = self.health()
        return _json_response(start_response, "200 OK" if healthy else "503 Service Unavailable", report)

    def _metrics(self, environ, start_response):
        with self._turn("query"):
            body = self.metrics()
        start_response("200 OK", [("Content-Type", "text/plain; version=0.0.4; charset=utf-8"),
                                  ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
        return [body]

    def _execute(self, environ, start_response, params: dict):
        media_type = _negotiate(environ.get("HTTP_ACCEPT"))
        if media_type is None:
            raise HttpError("406 Not Acceptable", f"responses are {GRAPHQL_RESPONSE_JSON} or {JSON};"
                                                  " the Accept header allows neither")
        query = params["query"]
        try:
            document = (self._cached_document(query) if len(query) <= 2000
                        else _checked_document(self.schema, query))
        except InvalidDocument as invalid:
            for error in invalid.args:
                self.error_log.error(error, exc_info=error)
            errors = [_format_error(error) for error in invalid.args]
            return self._graphql_response(start_response, media_type, {"errors": errors}, environ)
        operation = get_operation_ast(document, params["operationName"])
        kind = "query" if operation is None else operation.operation.value
        if kind != "query" and environ["REQUEST_METHOD"] == "GET":
            raise HttpError("405 Method Not Allowed", f"a {kind} must be sent with POST", [("Allow", "POST")])
        if kind != "query" and environ[ACCESS] == "read":
            log.info("%s: refused a %s with the read token", environ.get("REMOTE_ADDR"), kind)
            raise HttpError("403 Forbidden", "this token may only read; triggerJob, pauseJob, resumeJob and"
                                             " cancelJob need the admin token")
        with self._turn(kind):  # answered within the turn: encoding a long answer is work too
            return self._result(start_response, media_type, environ, params, document)

    def _result(self, start_response, media_type: str, environ, params: dict, document: DocumentNode):
        _, result = graphql_sync(
            self.schema, params, query_document=document, query_validator=lambda *_args, **_kwargs: [],
            context_value={"request": environ, "rows_left": MAX_ROWS_PER_REQUEST},
            error_formatter=_format_error, logger=self.error_log)
        if result.get("data") is None and all("path" not in error for error in result.get("errors", ())):
            # Not executed (bad variables, unknown operation): a request error, no data.
            result.pop("data", None)
        return self._graphql_response(start_response, media_type, result, environ)

    @staticmethod
    def _graphql_response(start_response, media_type: str, result: dict, environ):
        """200 under application/json; 400 under GraphQL's own type for a request never
        executed. A header tells the dashboard which token it holds."""
        status = "200 OK" if media_type == JSON or "data" in result else "400 Bad Request"
        return _json_response(start_response, status, result, content_type=media_type,
                              headers=[("X-Barycenter-Access", environ[ACCESS])])


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server, a thread per connection, ``max_connections`` at most: a newcomer
    closes the one waiting longest for its request, or gets 503 if all are being answered."""

    allow_reuse_address = True

    def __init__(self, address, handler_class, *, family: int = socket.AF_INET,
                 max_connections: int = MAX_CONNECTIONS, request_timeout: float = REQUEST_TIMEOUT_SECONDS):
        self.address_family = family
        # A burst up to the cap waits in the kernel's listen queue rather than being reset.
        self.request_queue_size = max(max_connections, 128)
        self.request_timeout = request_timeout
        self._free_slots = threading.BoundedSemaphore(max_connections)
        # Connections whose request has not arrived whole, oldest first.
        self._waiting: collections.OrderedDict[socket.socket, None] = collections.OrderedDict()
        self._waiting_lock = threading.Lock()
        self._turned_away = collections.Counter()  # since the last log line about them
        self._turned_away_logged = -math.inf
        message = f"the server is serving its limit of {max_connections} connections; try again later"
        body = json.dumps(_errors(message)).encode()
        self._full_response = (b"HTTP/1.0 503 Service Unavailable\r\n"
                               b"Content-Type: application/json; charset=utf-8\r\nContent-Length: %d\r\n"
                               b"Retry-After: 1\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        super().__init__(address, handler_class)

    def process_request(self, request, client_address):
        if not self._free_slots.acquire(blocking=False) and not self._make_room():
            self._turn_away("every connection slot is taken: {} connection(s) refused with 503")
            with contextlib.suppress(OSError):
                request.setblocking(False)
                request.send(self._full_response)  # a few hundred bytes fit any socket buffer
            self.shutdown_request(request)
            return
        with self._waiting_lock:
            self._waiting[request] = None
        try:
            super().process_request(request, client_address)
        except BaseException:  # no thread started
            self.delivered(request)
            self._free_slots.release()
            raise

    def _make_room(self) -> bool:
        """Close the connection waiting longest for its request, and take its slot."""
        with self._waiting_lock:
            if not self._waiting:
                return False
            oldest, _ = self._waiting.popitem(last=False)
        with contextlib.suppress(OSError):
            oldest.shutdown(socket.SHUT_RDWR)
        self._turn_away("every connection slot is taken: {} connection(s) closed for a newcomer after"
                        " waiting longest for its request")
        return self._free_slots.acquire(timeout=1)

    def get_request(self):
        try:
            return super().get_request()
        except OSError as error:
            if error.errno in (errno.EMFILE, errno.ENFILE):
                # Pause rather than spin on the connection waiting in the listen queue.
                self._turn_away("too many open files: new connections wait in the listen queue ({} pauses);"
                                " raise the process's limit, ulimit -n or systemd's LimitNOFILE")
                time.sleep(0.1)
            raise

    def _turn_away(self, message: str) -> None:
        """Count a connection turned away; log the counts ({} in ``message``) at most once a second."""
        self._turned_away[message] += 1
        now = time.monotonic()
        if now - self._turned_away_logged >= 1:
            for counted, count in self._turned_away.items():
                log.warning(counted.format(count))
            self._turned_away.clear()
            self._turned_away_logged = now

    def delivered(self, request) -> None:
        """The connection's request has arrived whole: it is never closed to make room."""
        with self._waiting_lock:
            self._waiting.pop(request, None)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.delivered(request)
            self._free_slots.release()

    def server_close(self):
        """Close the connections still sending their request; wait for the others."""
        with self._waiting_lock:
            for request in self._waiting:
                with contextlib.suppress(OSError):
                    request.shutdown(socket.SHUT_RDWR)
        super().server_close()

    def shutdown_request(self, request):
        # Closing over unread bytes resets the connection: the client may lose the answer.
        with contextlib.suppress(OSError):
            request.setblocking(False)
            request.recv(65536)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            log.info("%s: connection dropped: %s", client_address[0], error)
        else:
            log.exception("%s: error handling the connection", client_address[0])


class _DeadlineIO(io.RawIOBase):
    """A socket's input or output that gives up at a deadline however the bytes trickle
    (by default, the timeout after the first read or write)."""

    def __init__(self, sock: socket.socket, timeout: float, deadline: Optional[float] = None):
        self._sock, self._timeout, self._deadline = sock, timeout, deadline
        self.late = False

    def readable(self) -> bool:
        return True

    writable = readable

    def _time_left(self) -> float:
        if self._deadline is None:
            self._deadline = time.monotonic() + self._timeout
        return self._deadline - time.monotonic()

    def readinto(self, buffer) -> int:
        left = self._time_left()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self._sock.settimeout(left)
        return self._sock.recv_into(buffer)

    def write(self, data) -> int:
        try:
            left = self._time_left()
            if left <= 0:
                raise TimeoutError
            self._sock.settimeout(left)
            return self._sock.send(data)
        except TimeoutError:  # said as a client gone, which wsgiref drops without a traceback
            self.late = True
            raise ConnectionAbortedError("the client did not take its answer in time") from None


class RequestHandler(WSGIRequestHandler):
    """One access line per request in the log (never its headers, which may
    hold the token), and JSON for the errors http.server answers itself."""

    # One send per response: wsgiref writes it in five pieces.
    wbufsize = 64 * 1024

    def setup(self):
        super().setup()
        timeout = self.server.request_timeout
        self.rfile = io.BufferedReader(_DeadlineIO(self.connection, timeout, time.monotonic() + timeout))
        self.wfile = io.BufferedWriter(_DeadlineIO(self.connection, timeout), self.wbufsize)

    def get_environ(self):
        """wsgiref's environ. A request without a body has arrived whole; for one with a
        body, the app says when it has read it (DELIVERED)."""
        environ = super().get_environ()
        delivered = functools.partial(self.server.delivered, self.request)
        if environ.get("CONTENT_LENGTH", "") in ("", "0"):
            delivered()
        else:
            environ[DELIVERED] = delivered
        return environ

    def handle(self):
        self._started = time.monotonic()
        try:
            super().handle()
        except TimeoutError:
            if hasattr(self, "headers"):  # the request arrived; its answer could not be sent in time
                raise
            self.send_error(408, f"the request did not arrive within {self.server.request_timeout:g} seconds")
        if self.wfile.raw.late:
            log.info('%s "%s" cut off: the answer was not taken within %g seconds', self.client_address[0],
                     _printable(self.requestline), self.server.request_timeout)

    def send_error(self, code, message=None, explain=None):
        # http.server's own answers are HTML, ours JSON; not as HTTP/0.9 (no status line).
        self.close_connection = True
        self.request_version = "HTTP/1.0"
        payload = json.dumps(_errors(message or self.responses.get(code, ("",))[0])).encode()
        self.send_response(code, message)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        if getattr(self, "command", None) != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(payload)

    def log_request(self, code="-", size="-"):
        elapsed = time.monotonic() - getattr(self, "_started", time.monotonic())
        log.info('%s "%s" %s %s %.3fs', self.client_address[0], _printable(getattr(self, "requestline", "")),
                 code, size, elapsed)

    def log_message(self, format, *args):
        log.info("%s %s", self.client_address[0], _printable(format % args))


# == The application ==========================================================


class App(HttpApp):
    """The WSGI app with its storage, runner and scheduler (``start()``, ``close()``)."""

    def __init__(self, storage: Storage, runner: JobRunner, scheduler: BackgroundScheduler, schema, **http):
        super().__init__(schema, **http)
        self.storage = storage
        self.runner = runner
        self.scheduler = scheduler
        self.started_at: Optional[float] = None  # when the scheduler started
        self.closed = False
        self.release = storage.release

    def start(self) -> None:
        self.started_at = self.runner.clock()
        self.scheduler.start()

    def health(self, expected_since: Optional[float] = None, states: Optional[dict] = None
               ) -> tuple[bool, dict]:
        """Healthy when the scheduler runs and no unpaused job missed a firing by over
        MISFIRE_GRACE_SECONDS, from ``expected_since`` (the start) or its resume on; from
        ``states`` (Storage.job_states) if the caller has read them."""
        now = self.runner.clock()
        expected_since = self.started_at if expected_since is None else expected_since
        report: dict[str, Any] = {"status": "ok", "checkedAt": _iso_epoch(int(now)),
                                  "scheduler": "running" if self.scheduler.running else "stopped"}
        try:
            states = self.storage.job_states(int(now)) if states is None else states
        except self.storage.errors as error:
            log.warning("health check: cannot read the database: %s", describe_error(error))
            return False, {**report, "status": "unhealthy", "error": "the database cannot be read"}
        jobs, overdue = [], []
        for name, job in self.runner.jobs.items():
            state = states[name]
            due = None if state["paused"] or expected_since is None else latest_fire_time(
                job.trigger, now - MISFIRE_GRACE_SECONDS, within=400 * 86400)
            late = due is not None and due.timestamp() > max(
                expected_since, state["resumed_at"] or 0, state["last_started_at"] or 0)
            if late:
                overdue.append(name)
            jobs.append({
                "name": name,
                "paused": bool(state["paused"]),
                "running": bool(state["running"]),
                "lastRunAt": _iso_epoch(state["last_started_at"]),
                "lastSuccessAt": _iso_epoch(state["last_success_at"]),
                "nextRunAt": _iso_epoch(self.runner.next_run(name, state["paused"], now)),
                "overdue": late,
            })
        healthy = self.scheduler.running and not overdue
        return healthy, {**report, "status": "ok" if healthy else "unhealthy", "overdueJobs": overdue,
                         "jobs": jobs}

    def metrics(self) -> bytes:
        """/metrics, read from the database now (every replica reports the same);
        prometheus_client is imported on the first scrape."""
        from prometheus_client.exposition import generate_latest
        return generate_latest(self)

    def close(self) -> None:
        """Stop the runs (at their next batch), the scheduler and the database, once."""
        if self.closed:
            return
        self.closed = True
        self.runner.stop()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        with contextlib.suppress(Exception):  # logged
            self.runner.record_unrecorded_failures()
        self.runner.log_unrecorded_failures()
        self.storage.release()
        self.storage.close()

    def collect(self):
        """/metrics' families; job_name, since Prometheus keeps ``job`` for itself."""
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        now = self.runner.clock()
        yield GaugeMetricFamily("barycenter_jobs_scheduler_running",
                                "Whether this process's scheduler is running (1) or not (0).",
                                value=int(self.scheduler.running))
        try:
            states = self.storage.job_states(int(now))
        except self.storage.errors as error:
            log.warning("metrics: cannot read the database: %s", describe_error(error))
            states = None
        yield GaugeMetricFamily("barycenter_jobs_database_up", "Whether the database answered this scrape.",
                                value=int(states is not None))
        if states is None:
            return
        runs = CounterMetricFamily("barycenter_job_runs", "Runs that ended, by outcome, whoever ran them.",
                                   labels=["job_name", "outcome"])
        records = CounterMetricFamily("barycenter_job_records_deleted", "Expired rows deleted.",
                                      labels=["job_name"])
        gauges = {name: GaugeMetricFamily(f"barycenter_job_{name}", text, labels=["job_name"])
                  for name, text in (
                      ("last_run_start_timestamp_seconds", "When the newest run started."),
                      ("last_run_duration_seconds", "How long the newest run took, once it ended."),
                      ("last_success_timestamp_seconds", "When the newest successful run ended."),
                      ("expected_since_timestamp_seconds",
                       "When the job was set up or last resumed: its firings are expected from then on."),
                      ("next_run_timestamp_seconds", "The next scheduled firing (none while paused)."),
                      ("running", "Whether any process runs the job now."),
                      ("expired_records", f"Expired rows waiting, counted up to {EXPIRED_RECORDS_CAP}."),
                      ("paused", "Whether the job is paused."))}
        for name, job in self.runner.jobs.items():
            state = states[name]
            runs.add_metric([name, "success"], state["runs_succeeded"])
            runs.add_metric([name, "failure"], state["runs_failed"])
            records.add_metric([name], state["records_deleted"])
            started, completed = state["last_started_at"], state["last_completed_at"]
            next_run, backlog = self.runner.next_run(name, state["paused"], now), None
            with contextlib.suppress(*self.storage.errors):  # a table gone harms only its own job
                backlog = self.storage.expired_records(job.table, int(now))
            values = {  # None: no sample
                "last_run_start_timestamp_seconds": started,
                "last_run_duration_seconds": None if None in (started, completed) else completed - started,
                "last_success_timestamp_seconds": state["last_success_at"],
                "expected_since_timestamp_seconds": state["resumed_at"],
                "next_run_timestamp_seconds": next_run and next_run.timestamp(),
                "running": int(bool(state["running"])),
                "expired_records": backlog,
                "paused": int(bool(state["paused"])),
            }
            for gauge, value in values.items():
                if value is not None:
                    gauges[gauge].add_metric([name], value)
        yield from (runs, records, *gauges.values())


def read_file(name: str) -> bytes:
    """A file the module loads (see FILES_FOLDER); ``ConfigError`` names a missing one."""
    here = Path(__file__).parent
    for path in (here / FILES_FOLDER / name, here / name):
        with contextlib.suppress(FileNotFoundError):
            return path.read_bytes()
    raise ConfigError(f"{name} is missing: barycenter_jobs.py loads it from {here / FILES_FOLDER}"
                      f" or {here}; reinstall barycenter-jobs")


def _read_pages() -> dict[str, tuple[bytes, str]]:
    """The dashboard's files, and GraphiQL (which needs the internet), by path."""
    pages = {path: (read_file(name), content_type) for path, (name, content_type) in DASHBOARD_FILES.items()}
    graphiql = ExplorerGraphiQL(title="barycenter-jobs GraphiQL").html(None)
    for old, new in (("Loading barycenter-jobs GraphiQL…", "<p>Loading GraphiQL from a public CDN: this"
                      f' page needs the internet. <a href="{ENDPOINT}">The dashboard</a> does not.</p>'),
                     ("font-size: 4rem;", "font: 1rem/1.5 system-ui, sans-serif; text-align: center;"),
                     ("url: window.location.href", f"url: window.location.origin + {json.dumps(ENDPOINT)}")):
        if old not in graphiql:
            raise RuntimeError(f"Ariadne's GraphiQL page changed: {old!r} is not in it")
        graphiql = graphiql.replace(old, new)
    pages[PLAYGROUND_PATH] = (graphiql.encode("utf-8"), "text/html; charset=utf-8")
    return pages


def create_app(database: str | Path = DEFAULT_DATABASE, *,
               schedules: Optional[Mapping[str, str]] = None,
               clock: Callable[[], float] = time.time,
               busy_timeout: float = BUSY_TIMEOUT_SECONDS,
               allowed_hosts: Optional[Iterable[str]] = LOOPBACK_HOSTS,
               token: Optional[str] = None,
               read_token: Optional[str] = None,
               max_body_bytes: int = MAX_BODY_BYTES,
               log_retention_days: int = LOG_RETENTION_DAYS,
               read_only: bool = False) -> App:
    """The app, its database and an unstarted scheduler; no socket. The options are the
    command line's; ``clock`` gives epoch seconds, ``allowed_hosts`` None answers any Host,
    ``read_only`` is for ``status``. Raises ``ConfigError`` or ``DatabaseUnavailable``."""
    overrides = dict(schedules or {})
    _check_job_names(overrides)
    jobs = []
    for job in JOBS:
        expression = overrides.get(job.name, job.schedule)
        try:
            jobs.append(replace(job, schedule=expression, trigger=parse_cron(expression)))
        except CronError as error:
            raise CronError(f"invalid schedule for {job.name} {expression!r}: {error}") from None
    if token is not None and not token:
        raise ConfigError("the admin token is empty")
    if read_token is not None and (not read_token or token is None or read_token == token):
        raise ConfigError("a read token needs an admin token too, and must be another, non-empty one")
    if log_retention_days < 0:
        raise ConfigError(f"log retention must be 0 (keep everything) or more days, got {log_retention_days}")

    sdl, pages = read_file("schema.graphql").decode("utf-8"), _read_pages()
    storage = open_storage(database, max(busy_timeout, SETUP_WAIT_SECONDS))  # start-up waits its turn
    try:
        if read_only:
            storage.open_to_read([job.name for job in JOBS])
        else:
            storage.initialize([job.name for job in JOBS], int(clock()))
    except storage.errors as error:
        storage.close()
        why = (f"another process held its lock for {storage.busy_timeout:g} s while this one started"
               if _lock_timeout(error) else describe_error(error))
        raise DatabaseUnavailable(f"cannot open database {storage.display}: {why}") from None
    finally:
        storage.release()
        storage.busy_timeout = busy_timeout
    runner = JobRunner(storage, jobs, clock, log_retention_days=log_retention_days)

    schema = make_executable_schema(sdl, *_bind_resolvers(runner), convert_names_case=_snake_case_arguments)

    scheduler = BackgroundScheduler(timezone=timezone.utc, job_defaults={
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": MISFIRE_GRACE_SECONDS,
    })
    for job in jobs:
        scheduler.add_job(runner.run_scheduled, job.trigger, args=[job.name], id=job.name, name=job.name)
    # A try may wait out the busy timeout while the next starts: no "skipped" warning.
    scheduler.add_job(runner.retry_unrecorded_failures, "interval", seconds=RETRY_SECONDS, max_instances=3,
                      id="record-failures", name="write failures not yet recorded")

    tokens = {token: "admin", read_token: "read"} if read_token else {token: "admin"} if token else {}
    return App(storage, runner, scheduler, schema, allowed_hosts=allowed_hosts, tokens=tokens,
               max_body_bytes=max_body_bytes, pages=pages)


def _check_job_names(names: Iterable[str]) -> None:
    unknown = sorted(set(names) - {job.name for job in JOBS})
    if unknown:
        raise ConfigError(f"unknown job {unknown[0]}; the jobs are {', '.join(job.name for job in JOBS)}")


def make_http_server(host: str, port: int, app: Callable, **options) -> ThreadingWSGIServer:
    """The HTTP server, bound to ``host``'s IPv4 address, else its IPv6 one."""
    addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, address = min(addresses, key=lambda info: info[0] != socket.AF_INET)
    return make_server(address[0], address[1], app, handler_class=RequestHandler,
                       server_class=functools.partial(ThreadingWSGIServer, family=family, **options))


class Served(NamedTuple):
    """What ``serve`` yields."""

    url: str  # the API's address: http://127.0.0.1:PORT/admin/jobs
    app: App


@contextlib.contextmanager
def serve(database: str | Path = DEFAULT_DATABASE, *, scheduler: bool = False, **options):
    """For other projects' tests: the app (``create_app``'s ``options``) on a free loopback
    port; jobs fire only with ``scheduler=True``. On exit everything stops."""
    app = create_app(database, **options)
    with contextlib.ExitStack() as on_exit:  # undone in the reverse order
        on_exit.callback(app.close)
        server = make_http_server(DEFAULT_HOST, 0, app)
        on_exit.callback(server.server_close)  # waits for the requests in progress
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01},
                                  name="http-accept")
        thread.start()
        on_exit.callback(thread.join)
        on_exit.callback(server.shutdown)  # seen within the poll interval
        on_exit.callback(app.runner.stop)  # a run in progress stops at its next batch
        if scheduler:
            app.start()
        yield Served(f"http://{DEFAULT_HOST}:{server.server_port}{ENDPOINT}", app)


# == Command line =============================================================


class _ArgumentParser(argparse.ArgumentParser):
    """argparse with one line for a bad flag, like every other start-up error."""

    def error(self, message):
        self.exit(2, f"barycenter_jobs: {message} (see --help)\n")


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """--help with each flag's default, but none for flags that have none."""

    def _get_help_string(self, action):
        return action.help if action.default in (None, []) else super()._get_help_string(action)


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = _ArgumentParser(
        description=f"Serve Barycenter's job-management admin API at POST {ENDPOINT}; or run, pause,"
                    " resume or cancel one job (exit 0: done or not needed, 1: it failed), or print each"
                    " job's status (exit 0: no job is overdue and no newest run failed, 1: one is), without"
                    " a server.",
        epilog=f"Set the environment variable {TOKEN_VARIABLE} (or use --token-file) to require"
               " 'Authorization: Bearer <token>' on every request; and"
               f" {READ_TOKEN_VARIABLE} (or --read-token-file) for a token that may only read.",
        formatter_class=_HelpFormatter)
    parser.add_argument("command", nargs="*", metavar="run|pause|resume|cancel JOB | status",
                        help="what to do instead of serving")
    parser.add_argument("--reason", metavar="TEXT", help="with pause: why, kept until the job resumes")
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to listen on")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to listen on (0: any free port)")
    parser.add_argument("--database", default=None, metavar="PATH|URL",
                        help=f"SQLite file (created if missing), sqlite://PATH, or postgresql://..."
                             f" (default: ${DATABASE_VARIABLE}, else {DEFAULT_DATABASE})")
    parser.add_argument("--schedule", action="append", default=[], metavar="NAME=EXPR",
                        help="replace one job's six-field cron expression (UTC); repeatable")
    parser.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                        help="a Host name to answer besides localhost, 127.0.0.1 and [::1]; repeatable")
    parser.add_argument("--token-file", metavar="PATH", default=None,
                        help=f"file holding the bearer token (instead of ${TOKEN_VARIABLE})")
    parser.add_argument("--read-token-file", metavar="PATH", default=None,
                        help=f"file holding a token that may only read (instead of ${READ_TOKEN_VARIABLE})")
    parser.add_argument("--max-body-bytes", type=int, default=MAX_BODY_BYTES, metavar="N",
                        help="largest request body accepted")
    parser.add_argument("--log-retention-days", type=int, default=LOG_RETENTION_DAYS, metavar="N",
                        help="delete job log rows older than this many days (0: keep everything)")
    parser.add_argument("--log-level", default="INFO", type=str.upper,
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="log verbosity")
    args = parser.parse_intermixed_args(argv)
    if args.command not in ([], ["status"]) and not (len(args.command) == 2 and args.command[0] in COMMANDS):
        parser.error(f"unknown command {' '.join(args.command)!r}; give run, pause, resume or cancel JOB,"
                     " status, or none to serve")
    if args.reason is not None and (args.command[:1] != ["pause"] or len(args.reason) > MAX_PAUSE_REASON):
        parser.error(f"--reason goes with pause JOB, in at most {MAX_PAUSE_REASON} characters")
    return args


def _schedule_overrides(flags: list[str]) -> dict[str, str]:
    overrides = {}
    for flag in flags:
        name, equals, expression = flag.partition("=")
        if not equals:
            raise ConfigError(f"--schedule {flag!r} must be NAME=EXPR, e.g. "
                              f"cleanup_expired_sessions='0 0 * * * *'")
        overrides[name.strip()] = expression.strip()
    return overrides


def _read_token(token_file: Optional[str], variable: str, flag: str) -> Optional[str]:
    if token_file is None:
        token = os.environ.get(variable)
        if token and not token.strip():
            raise ConfigError(f"${variable} holds only white space")
        return token.strip() if token else None
    try:
        token = Path(token_file).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ConfigError(f"cannot read {flag} {token_file}: {error.strerror or error}") from None
    if not token:
        raise ConfigError(f"{flag} {token_file} is empty")
    return token


def _command(app: App, command: list[str], reason: Optional[str]) -> int:
    """``run JOB``, ``pause JOB``... or ``status``: lines on stdout, and the exit code --help tells."""
    if command[0] in STEERING:
        try:
            print(steer_job(app.runner, command[1], command[0], "the command line", reason)[1])
        except app.storage.errors as error:
            print(f"{command[1]}: {describe_error(error)}")
            return 1
        return 0
    if command[0] == "run":
        outcome = app.runner.run(command[1], "command line")
        app.close()  # which writes a failure not yet written, or logs it as lost
        notes = [] if outcome.run_id is None else [f"run {outcome.run_id}"]
        if app.runner.unrecorded:
            notes.append("not in the history: the database did not take the failure")
        ran = f" ({'; '.join(notes)})" if notes else ""
        if outcome.status is RunStatus.SUCCEEDED:
            print(f"{command[1]} succeeded: {outcome.records} expired rows deleted{ran}")
        elif outcome.status is RunStatus.FAILED:
            print(f"{command[1]} failed: {outcome.error}{ran}")
        else:
            print(f"{command[1]} did not run: {outcome.status.reason}")
        return int(outcome.status not in (RunStatus.SUCCEEDED, RunStatus.PAUSED, RunStatus.ALREADY_RUNNING))
    try:
        states = app.storage.job_states(int(app.runner.clock()))
        _, report = app.health(expected_since=0, states=states)
        unhealthy = bool(report["overdueJobs"])
        for job in report["jobs"]:
            run = app.storage.last_run(job["name"])
            outcome = run and {None: "running", True: "succeeded", False: "failed"}[run["success"]]
            unhealthy |= outcome == "failed"
            backlog = app.storage.expired_records(app.runner.jobs[job["name"]].table, int(app.runner.clock()))
            pause = states[job["name"]]  # who, when and why, if this server paused it
            state = ("paused" + (f" {_iso_epoch(pause['paused_at'])} by {pause['paused_by']}"
                                 if pause["paused_by"] else "")
                     + (f" ({_printable(pause['pause_reason'])})" if pause["pause_reason"] else "")
                     if job["paused"] else "running" if job["running"] else "scheduled")
            warnings = ", OVERDUE" * job["overdue"] + ", LAST RUN FAILED" * (outcome == "failed")
            print("; ".join([
                f"{job['name']}: {state}{warnings}",
                f"next run {job['nextRunAt'] or 'none'}",
                f"last run {outcome} {run['startedAt']}" if run else "last run never",
                f"last success {job['lastSuccessAt'] or 'never'}",
                f"{backlog}{'+' if backlog == EXPIRED_RECORDS_CAP else ''} expired rows waiting"]))
    except app.storage.errors as error:
        print(f"barycenter_jobs: cannot read {app.storage.display}: {describe_error(error)}", file=sys.stderr)
        return 1
    return int(unhealthy)


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def main(argv: Optional[list[str]] = None) -> int:
    # First of all: SIGTERM, SIGINT or SIGHUP, whenever it comes, is a clean stop (exit 0).
    stop_requested = threading.Event()
    received: list[str] = []
    runners: list[JobRunner] = []  # the app's, once there is one

    def request_stop(signum, _frame):
        received.append(signal.Signals(signum).name)
        stop_requested.set()
        for runner in runners:
            runner.stop()  # runs in progress stop at their next batch; new ones are refused

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, request_stop)

    args = parse_args(argv)
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    logging.basicConfig(level=args.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.log_level != "DEBUG":
        # APScheduler logs every run at INFO; our own line per run says more.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    loopback = _is_loopback(args.host)
    address = f"[{args.host}]:{args.port}" if ":" in args.host else f"{args.host}:{args.port}"
    if not 0 <= args.port <= 65535:
        print(f"barycenter_jobs: cannot listen on {address}: the port must be 0 to 65535", file=sys.stderr)
        return 1
    # On loopback, loopback names (and the listed ones) are answered; elsewhere, any unless listed.
    allowed_hosts = (LOOPBACK_HOSTS | set(args.allowed_host)) if loopback or args.allowed_host else None
    try:
        if args.max_body_bytes < 1:
            raise ConfigError("--max-body-bytes must be at least 1")
        token = _read_token(args.token_file, TOKEN_VARIABLE, "--token-file")
        read_token = _read_token(args.read_token_file, READ_TOKEN_VARIABLE, "--read-token-file")
        database = args.database if args.database is not None else (
            os.environ.get(DATABASE_VARIABLE) or DEFAULT_DATABASE)
        _check_job_names(args.command[1:])  # run JOB
        storage = open_storage(database)
        new_file = isinstance(storage, SQLiteStorage) and not os.path.exists(storage.file)
        if args.command and new_file:  # an outside scheduler's command must never succeed on an empty file
            print(f"barycenter_jobs: there is no database at {storage.display}; {args.command[0]} works on an"
                  f" existing one: give --database PATH|URL or set {DATABASE_VARIABLE}", file=sys.stderr)
            return 1
        app = create_app(database, schedules=_schedule_overrides(args.schedule),
                         allowed_hosts=allowed_hosts, token=token, read_token=read_token,
                         max_body_bytes=args.max_body_bytes,
                         log_retention_days=args.log_retention_days, read_only=args.command == ["status"])
    except ConfigError as error:
        print(f"barycenter_jobs: {error}", file=sys.stderr)
        return 2
    except DatabaseUnavailable as error:
        if args.command[:1] == ["run"]:
            print(f"{args.command[1]} failed: {error}; not in the history")
        print(f"barycenter_jobs: {error}", file=sys.stderr)
        return 1
    runners.append(app.runner)
    if stop_requested.is_set():
        app.runner.stop()
    if args.command:
        with contextlib.closing(app):
            return _command(app, args.command, args.reason)
    try:
        server = make_http_server(args.host, args.port, app)
    except OSError as error:
        app.close()
        print(f"barycenter_jobs: cannot listen on {address}: {error.strerror or error}", file=sys.stderr)
        return 1
    if not loopback and token is None:
        log.warning("listening on %s without a token: anyone who can reach this port can read the job"
                    " history and trigger jobs; set %s or --token-file", args.host, TOKEN_VARIABLE)

    app.start()
    serving = threading.Thread(target=server.serve_forever, name="http-accept")
    serving.start()
    if not stop_requested.is_set():
        listening = address.rsplit(":", 1)[0] + f":{server.server_port}"
        tokens = ("the read or admin token to read, the admin token to trigger, pause and resume"
                  if read_token else "the admin token" if token else "no token")
        log.info("listening on http://%s%s (%sdatabase %s); requests need %s", listening, ENDPOINT,
                 "new " if new_file else "", app.storage.display, tokens)
    stop_requested.wait()
    log.info("received %s; stopping", received[0])
    server.shutdown()  # no new connections
    server.server_close()  # waits for the requests in progress
    app.close()  # waits for a scheduled run in progress
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())

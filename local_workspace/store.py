"""SQLite storage for the local workspace.

One connection guarded by a re-entrant lock: requests arrive on server threads, and
nested `transaction()` blocks join the outer one so a handler's changes commit together.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE NOT NULL,
    resource TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS permissions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id TEXT NOT NULL,
    id TEXT NOT NULL,
    resource TEXT NOT NULL,
    UNIQUE (file_id, id)
);
CREATE TABLE IF NOT EXISTS forms (
    id TEXT PRIMARY KEY,
    form TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS responses (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    form_id TEXT NOT NULL,
    id TEXT NOT NULL,
    response TEXT NOT NULL,
    UNIQUE (form_id, id)
);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS request_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    method_id TEXT NOT NULL
);
"""

TABLES = ("files", "permissions", "forms", "responses", "settings", "request_log")


class Store:
    def __init__(self, path: str | Path):
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.path = str(path)
        self._lock = threading.RLock()
        self._depth = 0
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL" if self.path != ":memory:" else "PRAGMA journal_mode=MEMORY")
        self._db.executescript(SCHEMA)

    @contextmanager
    def transaction(self):
        with self._lock:
            outermost = self._depth == 0
            if outermost:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self._db
            except BaseException:
                self._depth -= 1
                if outermost:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outermost:
                self._db.execute("COMMIT")

    def reset(self) -> None:
        with self.transaction() as db:  # every table, also those each API's state creates for itself
            tables = [
                r["name"]
                for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            ]
            for table in tables:
                db.execute(f'DELETE FROM "{table}"')

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def get_setting(self, key: str, default=None):
        with self.transaction() as db:
            row = db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row["value"])

    def set_setting(self, key: str, value) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def log_request(self, method: str, path: str, method_id: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO request_log (method, path, method_id) VALUES (?, ?, ?)", (method, path, method_id))

    def logged_requests(self) -> list[dict]:
        with self.transaction() as db:
            rows = db.execute("SELECT method, path, method_id FROM request_log ORDER BY seq").fetchall()
        return [{"method": r["method"], "path": r["path"], "methodId": r["method_id"]} for r in rows]

#!/usr/bin/env python3
"""SQLite's own commit rate on this disk, for scripts/bench-ingest: the ceiling under per-reading commits.

Usage: bench-ingest-sqlite.py DIRECTORY [COMMITS]
Python's sqlite3 module (the system SQLite), WAL, synchronous=NORMAL, one transaction per row:
  small_row:  one small row in a table without indexes (the issue's reference point, ≈ 49,000/s);
  journal:    a reading committed straight into the journal: the sensor_reading row with its indexes
              (schema of migration v4-sensor-journal) and the sensor_state upsert (what the daemon
              committed per QoS 1 reading before the sensor inbox);
  inbox:      what the daemon commits per QoS 1 reading now: one row in the sensor inbox, a file of its
              own without indexes, locked exclusively (SensorInbox).
Prints `RESULT small_row_per_s=… journal_per_s=… inbox_per_s=…`.
"""
import os
import sqlite3
import sys
import time

directory = sys.argv[1]
commits = int(sys.argv[2]) if len(sys.argv) > 2 else 20000

SCHEMA = """
CREATE TABLE sensor_reading (id INTEGER PRIMARY KEY, sensor_id TEXT NOT NULL, space_id TEXT NOT NULL,
    topic TEXT NOT NULL, received_at INTEGER NOT NULL, event_at INTEGER, verdict TEXT NOT NULL, value TEXT,
    battery INTEGER, online INTEGER, dedup_key TEXT);
CREATE INDEX sensor_reading_by_space ON sensor_reading(space_id, received_at);
CREATE UNIQUE INDEX sensor_reading_dedup ON sensor_reading(sensor_id, dedup_key) WHERE dedup_key IS NOT NULL;
CREATE TABLE sensor_state (sensor_id TEXT PRIMARY KEY, last_seen INTEGER NOT NULL, battery INTEGER,
    online INTEGER, last_event INTEGER);
CREATE TABLE small (id INTEGER PRIMARY KEY, a TEXT, b INTEGER);
"""
INSERT = """INSERT OR IGNORE INTO sensor_reading (sensor_id, space_id, topic, received_at, event_at, verdict,
    value, battery, online, dedup_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
UPSERT = """INSERT INTO sensor_state (sensor_id, last_seen, battery, online, last_event) VALUES (?1, ?2, ?3, ?4, ?5)
    ON CONFLICT (sensor_id) DO UPDATE SET last_seen = ?2, battery = coalesce(?3, battery),
    online = coalesce(?4, online), last_event = coalesce(?5, last_event)"""

path = os.path.join(directory, "sqlite-reference.sqlite")
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = NORMAL")
db.executescript(SCHEMA)


def rate(one):
    started = time.perf_counter()
    for i in range(commits):
        db.execute("BEGIN IMMEDIATE")
        one(i)
        db.execute("COMMIT")
    return commits / (time.perf_counter() - started)


small = rate(lambda i: db.execute("INSERT INTO small (a, b) VALUES (?, ?)", ("reading", i)))


def journal(i):
    sensor = f"bench-door-{i % 100}"
    db.execute(INSERT, (sensor, f"room-{i % 20:02d}", f"zigbee2mqtt/bench/room/{sensor}", 1_800_000_000 + i,
                        1_800_000_000 + i, "event", "door:open", 90, None, None))
    db.execute(UPSERT, (sensor, 1_800_000_000 + i, 90, True, 1_800_000_000 + i))


journal_rate = rate(journal)

inbox_path = os.path.join(directory, "sqlite-reference.sensor-inbox.sqlite")
db = sqlite3.connect(inbox_path, isolation_level=None)
db.execute("PRAGMA locking_mode = EXCLUSIVE")
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = NORMAL")
db.execute("PRAGMA wal_autocheckpoint = 10000")
db.execute("""CREATE TABLE reading (id INTEGER PRIMARY KEY, sensor_id TEXT NOT NULL, space_id TEXT NOT NULL,
    topic TEXT NOT NULL, received_at INTEGER NOT NULL, event_at INTEGER, verdict TEXT NOT NULL, value TEXT,
    battery INTEGER, online INTEGER, dedup_key TEXT)""")


def inbox(i):
    sensor = f"bench-door-{i % 100}"
    db.execute("INSERT INTO reading VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               (i + 1, sensor, f"room-{i % 20:02d}", f"zigbee2mqtt/bench/room/{sensor}", 1_800_000_000 + i,
                1_800_000_000 + i, "event", "door:open", 90, None, None))


inbox_rate = rate(inbox)
print(f"SQLite {sqlite3.sqlite_version}, WAL, synchronous=NORMAL, one transaction each, {commits} commits: "
      f"small row {small:.0f}/s, journal reading + health {journal_rate:.0f}/s, inbox row {inbox_rate:.0f}/s")
print(f"RESULT small_row_per_s={small:.0f} journal_per_s={journal_rate:.0f} inbox_per_s={inbox_rate:.0f}")

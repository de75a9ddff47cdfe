#!/usr/bin/env python3
"""What this machine can do right now, for scripts/bench: the floors under the booking figures.

Usage: bench-machine.py DIRECTORY [COMMITS]
The figures of this VM drift by a quarter between runs minutes apart; printing them with every run
shows which part of a change in the booking rate is the machine's.
  sqlite_fsync_commits_per_s: Python's sqlite3 module (the system SQLite), WAL, synchronous=FULL, one
      small row per transaction: the issue's reference point (≈ 4,100/s when it was written);
  loopback_rtt_us: one byte sent and echoed over a loopback TCP connection between two processes, the
      median round trip: the least one request over HTTP with one client can cost.
Prints `RESULT sqlite_fsync_commits_per_s=… loopback_rtt_us=…`.
"""
import os
import socket
import sqlite3
import statistics
import sys
import time

directory = sys.argv[1]
commits = int(sys.argv[2]) if len(sys.argv) > 2 else 2000

path = os.path.join(directory, "machine-reference.sqlite")
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = FULL")
db.execute("CREATE TABLE small (id INTEGER PRIMARY KEY, a TEXT, b INTEGER)")
for i in range(200):  # warm-up: the WAL file grows to its size here, not during the timing
    db.execute("INSERT INTO small (a, b) VALUES (?, ?)", ("warm", i))
started = time.perf_counter()
for i in range(commits):
    db.execute("INSERT INTO small (a, b) VALUES (?, ?)", ("row", i))
fsync_rate = commits / (time.perf_counter() - started)
db.close()
for suffix in ("", "-wal", "-shm"):
    if os.path.exists(path + suffix):
        os.remove(path + suffix)

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(1)
child = os.fork()
if child == 0:
    connection, _ = listener.accept()
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    while data := connection.recv(64):
        connection.sendall(data)
    os._exit(0)
client = socket.create_connection(listener.getsockname())
client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
rtts = []
for _ in range(5000):
    sent = time.perf_counter()
    client.sendall(b"x")
    client.recv(64)
    rtts.append(time.perf_counter() - sent)
client.close()
os.waitpid(child, 0)

print(f"RESULT sqlite_fsync_commits_per_s={fsync_rate:.0f} loopback_rtt_us={statistics.median(rtts) * 1e6:.1f}")

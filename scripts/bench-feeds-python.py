#!/usr/bin/env python3
"""Times Python `icalendar` building and serialising the same feed the daemon served.

Usage: bench-feeds-python.py FEED.ics
Reads the daemon's feed (untimed), then builds a new VCALENDAR with the same VTIMEZONE and
events using icalendar's API and serialises it (timed), as a Python service would.
Prints `RESULT python_build_s=… events=…`.
"""
import sys
import time

import icalendar

source = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
events = [c for c in source.walk("VEVENT")]
zones = [c for c in source.walk("VTIMEZONE")]
fields = ["UID", "SEQUENCE", "DTSTAMP", "LAST-MODIFIED", "CREATED", "DTSTART", "DTEND", "SUMMARY",
          "DESCRIPTION", "LOCATION", "CATEGORIES", "STATUS", "CLASS", "RRULE", "EXDATE"]
data = [{k: e.decoded(k) if k not in ("RRULE", "CATEGORIES", "EXDATE") else e.get(k) for k in fields if k in e}
        for e in events]

started = time.perf_counter()
calendar = icalendar.Calendar()
calendar.add("prodid", "-//bench//python icalendar//EN")
calendar.add("version", "2.0")
for zone in zones:
    calendar.add_component(zone)
for item in data:
    event = icalendar.Event()
    for key, value in item.items():
        event.add(key, value)
    calendar.add_component(event)
text = calendar.to_ical()
elapsed = time.perf_counter() - started
print(f"python icalendar {icalendar.__version__}: built and serialised {len(data)} events "
      f"({len(text)} bytes) in {elapsed:.3f} s")
print(f"RESULT python_build_s={elapsed:.4f} events={len(data)}")

#!/usr/bin/env python3
"""Checks an iCalendar feed with independent Python parsers.

Usage: ical-check.py FEED.ics EXPECTED.json WINDOW_START WINDOW_END

EXPECTED.json is a list of occurrences [{"uid": "...", "start": unix, "end": unix}] that start
within [WINDOW_START, WINDOW_END) (Unix seconds). Occurrences with STATUS:CANCELLED are not
happening and are not counted. The feed is parsed with `icalendar` (and
expanded with `recurring-ical-events`) and with the strict `ical` package (expanded with its
timeline). Exits 1 with a message when a parser fails or an occurrence set differs.
Install the pinned parsers with scripts/setup-ical-check.
"""

import datetime
import json
import sys


def occurrence_key(uid, start, end):
    return (str(uid), int(start.timestamp()), int(end.timestamp()))


def check_aware(name, uid, *values):
    for value in values:
        if not isinstance(value, datetime.datetime) or value.tzinfo is None:
            raise ValueError(f"{name}: {uid} has a floating or date-only time {value!r}")


def with_icalendar(text, window_start, window_end):
    import icalendar
    import recurring_ical_events

    calendar = icalendar.Calendar.from_ical(text)
    for component in calendar.walk():
        errors = getattr(component, "errors", None)
        if errors:
            raise ValueError(f"icalendar: {component.name} has parse errors: {errors}")
    found = set()
    for event in recurring_ical_events.of(calendar).between(window_start, window_end):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        uid = str(event.get("UID"))
        check_aware("icalendar", uid, start, end)
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        if window_start <= start < window_end:
            found.add(occurrence_key(uid, start, end))
    return found


def with_ical(text, window_start, window_end):
    from ical.calendar_stream import IcsCalendarStream

    calendar = IcsCalendarStream.calendar_from_ics(text)
    found = set()
    for event in calendar.timeline_tz(datetime.timezone.utc).overlapping(window_start, window_end):
        check_aware("ical", event.uid, event.dtstart, event.dtend)
        if event.status is not None and str(getattr(event.status, "value", event.status)).upper() == "CANCELLED":
            continue
        if window_start <= event.dtstart < window_end:
            found.add(occurrence_key(event.uid, event.dtstart, event.dtend))
    return found


def describe(occurrences):
    def when(seconds):
        return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    return "\n".join(f"    {uid} {when(start)} - {when(end)}" for uid, start, end in sorted(occurrences, key=lambda o: (o[1], o[0])))


def main(argv):
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    feed_path, expected_path = argv[1], argv[2]
    utc = datetime.timezone.utc
    window_start = datetime.datetime.fromtimestamp(int(argv[3]), utc)
    window_end = datetime.datetime.fromtimestamp(int(argv[4]), utc)
    with open(feed_path, "rb") as feed:
        raw = feed.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        print(f"ical-check: {feed_path} is not UTF-8: {error}", file=sys.stderr)
        return 1
    with open(expected_path, encoding="utf-8") as handle:
        expected = {(o["uid"], int(o["start"]), int(o["end"])) for o in json.load(handle)}

    failures = []
    checked = []
    for name, parse in (("icalendar + recurring-ical-events", with_icalendar), ("ical", with_ical)):
        try:
            found = parse(text if name == "ical" else raw, window_start, window_end)
        except Exception as error:  # a parser rejecting the feed is the finding
            detail = getattr(error, "detailed_error", None)
            failures.append(f"{name} failed: {type(error).__name__}: {error}" + (f"\n  {detail}" if detail else ""))
            continue
        if found != expected:
            message = f"{name}: occurrences differ from the expected {len(expected)}"
            if expected - found:
                message += f"\n  missing:\n{describe(expected - found)}"
            if found - expected:
                message += f"\n  unexpected:\n{describe(found - expected)}"
            failures.append(message)
        else:
            checked.append(name)
    if failures:
        print("ical-check: FAILED\n" + "\n".join(failures), file=sys.stderr)
        return 1
    print(f"ical-check: ok, {len(expected)} occurrences agree ({'; '.join(checked)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Checks Hapësira's web pages in a real headless Chromium, driven over the DevTools protocol.

Signs in on /login with an API token (the site answers with an HTTP-only session cookie), then
opens every page path in every language (sq, sr, en) and checks that:
  - the main document answered 200 (and was not redirected elsewhere, e.g. back to /login);
  - <html lang> is the language asked for;
  - /reports shows at least --min-charts inline SVG charts (svg[role=img]), each with a <rect>;
  - nothing was logged as an error (console, uncaught exception, browser log);
  - no subresource failed to load or answered an HTTP error;
  - every request went to the site itself (the pages must work offline; data: URLs allowed);
and writes a full-page PNG screenshot of each (e.g. reports-en.png) into --out.

Prints one line per page and language and exits 1 when any check failed (2 when the browser
could not be started or driven). Needs the standard library and websocket-client only;
scripts/check-pages runs it against a seeded demo daemon.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import sys
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import websocket  # websocket-client

from browser_cdp import (CDP, VIEWPORT, Browser, CDPError, evaluate, find_chromium, navigate, problems_in_events,
                         screenshot)

LANGUAGES = ("sq", "sr", "en")
DEFAULT_DAYS = 60
# Pages that must show the report charts (path without the query).
CHART_PAGES = ("/reports",)


def reports_path(days: int = DEFAULT_DAYS, today: datetime.date | None = None) -> str:
    """The default page: /reports from `days` days ago to tomorrow (the range's end is exclusive)."""
    today = today or datetime.date.today()
    start = today - datetime.timedelta(days=days)
    end = today + datetime.timedelta(days=1)
    return f"/reports?from={start.isoformat()}&to={end.isoformat()}"


@dataclass
class PageResult:
    name: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    screenshot: str | None = None


def with_language(path: str, language: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={language}"


def screenshot_stem(path: str) -> str:
    """/reports?from=… → reports; / → index; /a/b → a-b."""
    stem = urllib.parse.urlsplit(path).path.strip("/").replace("/", "-")
    return re.sub(r"[^A-Za-z0-9._-]", "_", stem) or "index"


PAGE_FACTS = """(() => ({
  href: location.href,
  lang: document.documentElement.lang,
  charts: Array.from(document.querySelectorAll('svg[role=img]'), svg => ({
    label: svg.getAttribute('aria-labelledby') || '', rects: svg.querySelectorAll('rect').length})),
  overflow: document.documentElement.scrollWidth > window.innerWidth,
  // Boxes whose content is wider than they are (tables in a sideways-scrolling wrapper).
  scrolled: Array.from(document.querySelectorAll('body *'))
    .filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1)
    .map(e => {
      const inner = e.firstElementChild;
      const what = inner && inner.id ? '#' + inner.id
        : e.tagName.toLowerCase() + (e.className ? '.' + e.className : '');
      return `${what} (${e.scrollWidth} px in ${e.clientWidth} px)`;
    }),
}))()"""


def check_page(cdp: CDP, base_url: str, path: str, language: str, out: Path, min_charts: int,
               timeout: float, used_names: set[str]) -> PageResult:
    page_path = with_language(path, language)
    result = PageResult(page_path)
    url = base_url.rstrip("/") + page_path
    cdp.drain()  # anything left from the page before is not this page's
    navigation = navigate(cdp, url, timeout)
    if navigation.get("errorText"):
        result.problems.append(f"navigation failed: {navigation['errorText']}")
        return result
    events = cdp.drain()
    document = problems_in_events(events, base_url, navigation.get("loaderId"))[2]
    status = document.get("status")
    if status != 200:
        result.problems.append(f"HTTP status {status} (expected 200)")
    facts = evaluate(cdp, PAGE_FACTS)
    if urllib.parse.urlsplit(facts["href"])[2:4] != urllib.parse.urlsplit(url)[2:4]:
        result.problems.append(f"ended on {facts['href']} (redirected; signed out?)")
    if facts["lang"] != language:
        result.problems.append(f"<html lang> is {facts['lang']!r} (expected {language!r})")
    charts = facts["charts"]
    if urllib.parse.urlsplit(path).path in CHART_PAGES:
        if len(charts) < min_charts:
            result.problems.append(f"{len(charts)} svg[role=img] charts (expected at least {min_charts})")
        for chart in charts:
            if chart["rects"] == 0:
                result.problems.append(f"chart {chart['label'] or '(unlabelled)'} has no <rect>")
    result.notes.append(f"status {status}, lang {facts['lang']}, "
                        f"charts {len(charts)} (rects {'/'.join(str(c['rects']) for c in charts) or '-'})")
    if facts["overflow"]:
        result.notes.append(f"wider than the {VIEWPORT[0]} px viewport")
    for box in facts["scrolled"]:
        result.notes.append(f"{box} scrolls sideways")

    stem = f"{screenshot_stem(path)}-{language}"
    name, index = stem, 2
    while name in used_names:
        name, index = f"{stem}-{index}", index + 1
    used_names.add(name)
    target = out / f"{name}.png"
    screenshot(cdp, target, timeout)
    result.screenshot = str(target)
    # Everything the browser reported during the whole visit, up to after the screenshot.
    problems, notes, _ = problems_in_events(events + cdp.drain(), base_url, navigation.get("loaderId"))
    result.problems += problems
    result.notes += notes
    return result


def sign_in(cdp: CDP, base_url: str, token: str, timeout: float) -> PageResult:
    """Opens /login, fills the token in and submits the form (the answer sets the session cookie
    and redirects); the result's problems say what went wrong."""
    result = PageResult("/login (sign in)")
    base = base_url.rstrip("/")
    cdp.drain()
    navigation = navigate(cdp, base + "/login", timeout)
    if navigation.get("errorText"):
        result.problems.append(f"GET /login failed: {navigation['errorText']}")
        return result
    problems, notes, document = problems_in_events(cdp.drain(), base_url, navigation.get("loaderId"))
    result.problems += problems
    result.notes += notes
    if document.get("status") != 200:
        result.problems.append(f"GET /login answered {document.get('status')}")
        return result
    submitted = evaluate(cdp, f"""(() => {{
        const input = document.querySelector('form[action="/login"] input[name=token]');
        if (!input) return false;
        input.value = {json.dumps(token)};
        input.form.requestSubmit();
        return true;
    }})()""")
    if not submitted:
        result.problems.append("/login has no form with a token input")
        return result
    # The POST answers with a redirect and the cookie; the page it leads to then loads.
    cdp.wait_event("Page.frameNavigated", timeout, lambda p: "parentId" not in p["frame"])
    cdp.wait_event("Page.loadEventFired", timeout)
    problems, notes, _ = problems_in_events(cdp.drain(), base_url, None)
    result.problems += problems
    result.notes += [note for note in notes if note not in result.notes]
    where = urllib.parse.urlsplit(evaluate(cdp, "location.href")).path
    if where == "/login":
        message = evaluate(cdp, "document.querySelector('[role=alert]')?.textContent || ''")
        result.problems.append(f"sign-in refused{': ' + message.strip() if message else ''}")
    else:
        result.notes.insert(0, f"signed in, now on {where}")
    cookies = cdp.send("Network.getCookies", {"urls": [base + "/"]}).get("cookies", [])
    if not any(cookie.get("httpOnly") for cookie in cookies):
        result.problems.append("no HTTP-only session cookie after signing in")
    return result


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="the daemon, e.g. http://127.0.0.1:8080")
    parser.add_argument("--token", default=os.environ.get("HAPESIRA_TOKEN"),
                        help="an API token to sign in with (default: $HAPESIRA_TOKEN)")
    parser.add_argument("--out", default="docs/screenshots", help="where the PNG screenshots go")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS,
                        help=f"the default page's report range: this many days ago to tomorrow ({DEFAULT_DAYS})")
    parser.add_argument("--languages", default=",".join(LANGUAGES), help="comma-separated (sq,sr,en)")
    parser.add_argument("--min-charts", type=int, default=3, help="charts /reports must show (3)")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds for any one wait (20)")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM"), help="the browser executable")
    parser.add_argument("paths", nargs="*", help="page paths with their query (default: /reports over --days)")
    arguments = parser.parse_args(argv)
    if not arguments.token:
        parser.error("--token (or $HAPESIRA_TOKEN) is required")
    arguments.paths = arguments.paths or [reports_path(arguments.days)]
    arguments.languages = [language for language in arguments.languages.split(",") if language]
    return arguments


def report(result: PageResult) -> None:
    shot = f" -> {result.screenshot}" if result.screenshot else ""
    notes = f": {'; '.join(result.notes)}" if result.notes else ""
    print(f"{'ok  ' if not result.problems else 'FAIL'} {result.name}{notes}{shot}", flush=True)
    for problem in result.problems:
        print(f"       - {problem}", flush=True)


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    out = Path(arguments.out)
    out.mkdir(parents=True, exist_ok=True)
    browser: Browser | None = None
    cdp: CDP | None = None
    results: list[PageResult] = []
    try:
        browser = Browser(find_chromium(arguments.chromium), arguments.timeout)
        cdp = CDP(browser.url, arguments.timeout)
        target = cdp.send("Target.createTarget", {"url": "about:blank"}, browser=True)
        attached = cdp.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, browser=True)
        cdp.session = attached["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            cdp.send(f"{domain}.enable")
        cdp.send("Emulation.setDeviceMetricsOverride",
                 {"width": VIEWPORT[0], "height": VIEWPORT[1], "deviceScaleFactor": 1, "mobile": False})

        try:
            login = sign_in(cdp, arguments.base_url, arguments.token, arguments.timeout)
        except CDPError as error:
            login = PageResult("/login (sign in)", [str(error)])
        results.append(login)
        report(login)
        if not login.problems:
            used_names: set[str] = set()
            for path in arguments.paths:
                for language in arguments.languages:
                    try:
                        result = check_page(cdp, arguments.base_url, path, language, out, arguments.min_charts,
                                            arguments.timeout, used_names)
                    except CDPError as error:  # a wait that timed out: this page fails, the next one is tried
                        result = PageResult(with_language(path, language), [str(error)])
                    results.append(result)
                    report(result)
    except (CDPError, RuntimeError, OSError, websocket.WebSocketException) as error:
        print(f"check-pages: the browser could not be driven: {error}", file=sys.stderr)
        if browser is not None and browser.process.poll() is not None:
            print(browser.log_tail(), file=sys.stderr)
        return 2
    finally:
        if browser is not None:
            browser.close(cdp)

    failed = [result for result in results if result.problems]
    print(f"check-pages: {len(results) - len(failed)} passed, {len(failed)} failed")
    for result in failed:
        print(f"check-pages: FAILED {result.name}: {'; '.join(result.problems)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

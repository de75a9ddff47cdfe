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
import base64
import collections
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import websocket  # websocket-client

LANGUAGES = ("sq", "sr", "en")
DEFAULT_DAYS = 60
VIEWPORT = (1280, 800)
# Pages that must show the report charts (path without the query).
CHART_PAGES = ("/reports",)


def reports_path(days: int = DEFAULT_DAYS, today: datetime.date | None = None) -> str:
    """The default page: /reports from `days` days ago to tomorrow (the range's end is exclusive)."""
    today = today or datetime.date.today()
    start = today - datetime.timedelta(days=days)
    end = today + datetime.timedelta(days=1)
    return f"/reports?from={start.isoformat()}&to={end.isoformat()}"


class CDPError(Exception):
    """The browser answered a command with an error, or did not answer in time."""


class CDP:
    """A minimal DevTools protocol client over one websocket: commands get increasing ids and
    block for their answer; events read meanwhile wait in a queue for `wait_event` and `drain`."""

    def __init__(self, url: str, timeout: float = 10.0):
        # Chromium refuses DevTools websockets that send an Origin header it was not told to allow.
        self.ws = websocket.create_connection(url, timeout=timeout, suppress_origin=True)
        self.timeout = timeout
        self.next_id = 0
        self.events: collections.deque[dict] = collections.deque()
        self.session: str | None = None  # commands go to this target session when set

    def close(self) -> None:
        try:
            self.ws.close()
        except (OSError, websocket.WebSocketException):
            pass

    def _receive(self, deadline: float) -> dict:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.ws.settimeout(remaining)
        try:
            return json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException as error:
            raise TimeoutError from error

    def send(self, method: str, params: dict | None = None, timeout: float | None = None,
             browser: bool = False) -> dict:
        """Sends a command (to the attached page unless `browser`) and returns its result."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if self.session and not browser:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            try:
                reply = self._receive(deadline)
            except TimeoutError:
                raise CDPError(f"{method}: no answer within {timeout or self.timeout:g} s") from None
            if reply.get("id") == message["id"]:
                if "error" in reply:
                    raise CDPError(f"{method}: {reply['error'].get('message')} {reply['error'].get('data', '')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method: str, timeout: float | None = None, predicate=lambda params: True) -> dict:
        """Takes the first queued or coming event `method` whose params satisfy `predicate`;
        the other events stay queued in order."""
        for event in self.events:
            if event["method"] == method and predicate(event.get("params", {})):
                self.events.remove(event)
                return event.get("params", {})
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            try:
                event = self._receive(deadline)
            except TimeoutError:
                raise CDPError(f"no {method} within {timeout or self.timeout:g} s") from None
            if "method" not in event:
                continue  # an answer to a command that already gave up waiting
            if event["method"] == method and predicate(event.get("params", {})):
                return event.get("params", {})
            self.events.append(event)

    def drain(self) -> list[dict]:
        """All queued events (after a round trip, so that every event the browser sent before
        now is in), emptying the queue."""
        self.send("Runtime.evaluate", {"expression": "0"})
        events = list(self.events)
        self.events.clear()
        return events


class Browser:
    """Headless Chromium in a throwaway profile, with the DevTools port it picked itself."""

    def __init__(self, executable: str, timeout: float):
        self.profile = tempfile.mkdtemp(prefix="check-pages-chromium-")
        self.log = open(os.path.join(self.profile, "chromium.log"), "wb")
        arguments = [
            executable, "--headless=new", "--no-sandbox", "--remote-debugging-port=0",
            f"--user-data-dir={self.profile}", f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
            # Nothing but the pages under test may reach the network.
            "--disable-background-networking", "--disable-component-update", "--disable-extensions",
            "--disable-sync", "--disable-default-apps", "--no-first-run", "--no-default-browser-check",
            "--disable-breakpad", "--disable-crash-reporter", "--disable-dev-shm-usage", "--mute-audio",
            "--force-color-profile=srgb",
            "about:blank",
        ]
        # Its own process group, so that a browser that will not quit goes with all its helpers.
        self.process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                        start_new_session=True)
        try:
            self.url = self._devtools_url(timeout)
        except RuntimeError:
            self.close(None)
            raise

    def _devtools_url(self, timeout: float) -> str:
        """Chromium writes the port and the browser target's path to DevToolsActivePort once it
        listens; there is no event to wait on from outside, so poll the file up to `timeout`."""
        port_file = Path(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}:\n{self.log_tail()}")
            lines = port_file.read_text().split("\n") if port_file.exists() else []
            if len(lines) >= 2 and lines[0].strip().isdigit() and lines[1].strip():
                return f"ws://127.0.0.1:{lines[0].strip()}{lines[1].strip()}"
            time.sleep(0.05)
        raise RuntimeError(f"chromium wrote no DevToolsActivePort within {timeout:g} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        self.log.flush()
        text = Path(self.profile, "chromium.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def close(self, cdp: CDP | None) -> None:
        """Asks the browser to quit (over DevTools when connected, else with SIGTERM), kills it if
        it has not within 10 s, and removes the profile."""
        if cdp is not None and self.process.poll() is None:
            try:
                cdp.send("Browser.close", browser=True, timeout=5)
            except (CDPError, OSError, websocket.WebSocketException):
                pass
            cdp.close()
        elif self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        try:  # helpers that outlived the browser (they are in its process group)
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


def find_chromium(explicit: str | None) -> str:
    """--chromium or $CHROMIUM; else Debian's real binary (its /usr/bin/chromium launcher adds
    extension flags from /etc/chromium.d), else whatever chromium or chrome is on PATH."""
    candidates = [explicit] if explicit else ["/usr/lib/chromium/chromium", "chromium", "chromium-browser",
                                              "google-chrome", "google-chrome-stable"]
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return found
    raise RuntimeError(f"no Chromium found (tried {', '.join(candidates)}); install chromium or pass --chromium")


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


def navigate(cdp: CDP, url: str, timeout: float) -> dict:
    """Loads `url` in the page and waits for its load event; returns Page.navigate's result."""
    result = cdp.send("Page.navigate", {"url": url}, timeout=timeout)
    if result.get("errorText"):
        return result
    cdp.wait_event("Page.loadEventFired", timeout)
    return result


def evaluate(cdp: CDP, expression: str):
    result = cdp.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
    if "exceptionDetails" in result:
        raise CDPError(f"evaluating {expression[:60]!r}: {result['exceptionDetails'].get('text')}")
    return result["result"].get("value")


def problems_in_events(events: list[dict], base_url: str, loader_id: str | None) -> tuple[list[str], list[str], dict]:
    """The failures the browser reported while a page loaded, notes on what is not the page's own
    doing, and the main document's response."""
    problems: list[str] = []
    notes: list[str] = []
    document: dict = {}
    own = base_url.rstrip("/") + "/"
    # Chromium fetches /favicon.ico by itself when a page names no icon: its 404 is noted, not failed.
    favicon = own + "favicon.ico"
    urls: dict[str, str] = {}
    seen_foreign: set[str] = set()
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            urls[params["requestId"]] = url
            if not (url.startswith(own) or url == own.rstrip("/") or url.startswith("data:")) \
                    and url not in seen_foreign:
                seen_foreign.add(url)
                problems.append(f"request to another host: {url}")
        elif method == "Network.responseReceived":
            response = params["response"]
            if params.get("type") == "Document" and (loader_id is None or params.get("loaderId") == loader_id):
                document = response
            elif response.get("status", 0) >= 400:
                if response["url"] == favicon:
                    notes.append(f"the browser's own /favicon.ico request answered {response['status']}")
                else:
                    problems.append(f"subresource answered {response['status']}: {response['url']}")
        elif method == "Network.loadingFailed":
            url = urls.get(params.get("requestId"), "?")
            if url == favicon:
                notes.append(f"the browser's own /favicon.ico request failed: {params.get('errorText')}")
            elif not (params.get("type") == "Document" and params.get("canceled")):
                blocked = f" (blocked: {params['blockedReason']})" if params.get("blockedReason") else ""
                problems.append(f"request failed ({params.get('type')}): {params.get('errorText')}{blocked}: {url}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", []))
            problems.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            description = details.get("exception", {}).get("description") or details.get("text") or ""
            problems.append(f"uncaught exception: {description.splitlines()[0] if description else '?'}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            if entry.get("url") != favicon:
                where = f" {entry['url']}" if entry.get("url") else ""
                problems.append(f"browser log ({entry.get('source')}): {entry.get('text')}{where}")
    return problems, notes, document


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


def screenshot(cdp: CDP, path: Path, timeout: float) -> None:
    """A PNG of the whole page, as wide as the viewport (wider only if the page overflows)."""
    metrics = cdp.send("Page.getLayoutMetrics")
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    clip = {"x": 0, "y": 0, "width": max(size["width"], VIEWPORT[0]), "height": size["height"], "scale": 1}
    shot = cdp.send("Page.captureScreenshot",
                    {"format": "png", "captureBeyondViewport": True, "fromSurface": True, "clip": clip},
                    timeout=timeout)
    path.write_bytes(base64.b64decode(shot["data"]))


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

"""A small headless-Chromium driver over the DevTools protocol, shared by scripts/check-pages.py
and scripts/browser-scenario.py: the browser in a throwaway profile, a websocket client for its
commands and events, page loads, script evaluation, screenshots, and the failures a page load
reported (console errors, failed or foreign requests). Needs websocket-client only."""

from __future__ import annotations

import base64
import collections
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import websocket  # websocket-client

VIEWPORT = (1280, 800)


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


def screenshot(cdp: CDP, path: Path, timeout: float) -> None:
    """A PNG of the whole page, as wide as the viewport (wider only if the page overflows)."""
    metrics = cdp.send("Page.getLayoutMetrics")
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    clip = {"x": 0, "y": 0, "width": max(size["width"], VIEWPORT[0]), "height": size["height"], "scale": 1}
    shot = cdp.send("Page.captureScreenshot",
                    {"format": "png", "captureBeyondViewport": True, "fromSurface": True, "clip": clip},
                    timeout=timeout)
    path.write_bytes(base64.b64decode(shot["data"]))

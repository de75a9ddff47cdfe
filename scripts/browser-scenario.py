#!/usr/bin/env python3
"""Walks through Hapësira's web front as its people do, in a real headless Chromium:

  1. a member organisation signs in on /login and books a room that needs approval in the form;
  2. books the same slot again, sees the refusal with the conflicting booking and the alternatives;
  3. books one alternative with one click;
  4. the venue's manager signs in with a username and password (a browser of its own), finds
     both requests in the desk's approval queue and approves the alternative;
  5. the member's booking page then shows it confirmed.

Every step checks what the page says and that the page loaded cleanly (no console error, no
failed request, no request to another host), and writes a screenshot (scenario-N-….png) into
--out. Prints one line per step and exits 1 when a step failed (2 when the browser could not be
driven). scripts/browser-scenario runs it against a daemon on a fresh demo database.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import websocket  # websocket-client

from browser_cdp import (CDP, VIEWPORT, Browser, CDPError, evaluate, find_chromium, navigate, problems_in_events,
                         screenshot)


class StepFailed(Exception):
    """A step found the page other than expected."""


class Actor:
    """One person's browser: an isolated context (its own cookies) with one page attached."""

    def __init__(self, cdp: CDP, base_url: str, timeout: float):
        self.cdp, self.base, self.timeout = cdp, base_url.rstrip("/"), timeout
        context = cdp.send("Target.createBrowserContext", {"disposeOnDetach": True}, browser=True)
        target = cdp.send("Target.createTarget", {"url": "about:blank", "browserContextId": context["browserContextId"]},
                          browser=True)
        attached = cdp.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, browser=True)
        self.session = attached["sessionId"]
        self._use()
        for domain in ("Page", "Network", "Runtime", "Log"):
            cdp.send(f"{domain}.enable")
        cdp.send("Emulation.setDeviceMetricsOverride",
                 {"width": VIEWPORT[0], "height": VIEWPORT[1], "deviceScaleFactor": 1, "mobile": False})
        self.problems: list[str] = []

    def _use(self) -> None:
        self.cdp.session = self.session

    def _collect(self, loader_id: str | None = None) -> dict:
        problems, _, document = problems_in_events(self.cdp.drain(), self.base, loader_id)
        self.problems += problems
        return document

    def open(self, path: str) -> int:
        """Loads `path`; returns the main document's HTTP status."""
        self._use()
        self.cdp.drain()
        navigation = navigate(self.cdp, self.base + path, self.timeout)
        if navigation.get("errorText"):
            raise StepFailed(f"GET {path} failed: {navigation['errorText']}")
        return self._collect(navigation.get("loaderId")).get("status", 0)

    def submit(self, form_selector: str, fields: dict[str, str] | None = None, button: str | None = None) -> int:
        """Fills `fields` (by input name) into the form and submits it (by `button` when given, as
        a person clicks it); waits for the page the post leads to and returns its HTTP status."""
        self._use()
        self.cdp.drain()
        script = f"""(() => {{
            const form = document.querySelector({json.dumps(form_selector)});
            if (!form) return 'no form ' + {json.dumps(form_selector)};
            for (const [name, value] of Object.entries({json.dumps(fields or {})})) {{
                const input = form.elements[name];
                if (!input) return 'no field ' + name;
                if (input.type === 'checkbox') input.checked = value === 'on'; else input.value = value;
            }}
            const button = {json.dumps(button)} ? form.querySelector({json.dumps(button)}) : null;
            if ({json.dumps(button)} && !button) return 'no button ' + {json.dumps(button)};
            form.requestSubmit(button || undefined);
            return '';
        }})()"""
        missing = evaluate(self.cdp, script)
        if missing:
            raise StepFailed(missing)
        self.cdp.wait_event("Page.frameNavigated", self.timeout, lambda p: "parentId" not in p["frame"])
        self.cdp.wait_event("Page.loadEventFired", self.timeout)
        events = self.cdp.drain()
        documents = [e["params"]["response"] for e in events
                     if e["method"] == "Network.responseReceived" and e["params"].get("type") == "Document"]
        problems, _, _ = problems_in_events(events, self.base, None)
        # The browser logs a page answered with 4xx as a failed resource; the step checks the status.
        if documents:
            logged = f"status of {documents[-1]['status']} "
            problems = [p for p in problems if not (logged in p and p.endswith(" " + documents[-1]["url"]))]
        self.problems += problems
        return documents[-1]["status"] if documents else 0

    def path(self) -> str:
        self._use()
        parts = urllib.parse.urlsplit(evaluate(self.cdp, "location.href"))
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def text(self, selector: str = "main") -> str:
        self._use()
        return evaluate(self.cdp, f"document.querySelector({json.dumps(selector)})?.innerText || ''")

    def count(self, selector: str) -> int:
        self._use()
        return evaluate(self.cdp, f"document.querySelectorAll({json.dumps(selector)}).length")

    def shot(self, out: Path, name: str) -> str:
        self._use()
        target = out / f"{name}.png"
        screenshot(self.cdp, target, self.timeout)
        return str(target)

    def sign_in(self, fields: dict[str, str]) -> None:
        """Signs in with a token ({"token": …}) or a login ({"username": …, "password": …})."""
        if self.open("/login") != 200:
            raise StepFailed("GET /login did not answer 200")
        self.submit(f'form[action="/login"]:has(input[name={next(iter(fields))}])', fields)
        if self.path().startswith("/login"):
            raise StepFailed(f"sign-in refused: {self.text('[role=alert]').strip()}")


def booking_id(path: str) -> int:
    match = re.fullmatch(r"/bookings/(\d+)(\?.*)?", path)
    if not match:
        raise StepFailed(f"expected a booking's page, ended on {path}")
    return int(match.group(1))


def scenario(cdp: CDP, arguments: argparse.Namespace, out: Path) -> list[tuple[str, list[str], str | None]]:
    """Runs the steps in order; returns (step, problems, screenshot) for each step run."""
    results: list[tuple[str, list[str], str | None]] = []
    member = Actor(cdp, arguments.base_url, arguments.timeout)
    manager = Actor(cdp, arguments.base_url, arguments.timeout)
    space, date = arguments.space, arguments.date
    fields = {"title": "Scenario screening", "category": "screening", "start": "18:00", "end": "20:00"}
    state: dict[str, int] = {}

    def step(name: str, actor: Actor, action) -> bool:
        actor.problems = []
        shot = None
        try:
            action()
        except (StepFailed, CDPError) as error:
            actor.problems.append(str(error))
        try:
            shot = actor.shot(out, name)
        except CDPError as error:
            actor.problems.append(f"screenshot: {error}")
        results.append((name, list(actor.problems), shot))
        report(name, actor.problems, shot)
        return not actor.problems

    def book() -> None:
        member.sign_in({"token": arguments.member_token})
        if member.open(f"/book?space={space}&date={date}&lang={arguments.language}") != 200:
            raise StepFailed("GET /book did not answer 200")
        status = member.submit('form.booking', fields)
        state["first"] = booking_id(member.path())
        if status != 200:
            raise StepFailed(f"the booking's page answered {status}")
        if "Scenario screening" not in member.text():
            raise StepFailed("the booking's page does not show its title")

    def conflict() -> None:
        member.open(f"/book?space={space}&date={date}")
        status = member.submit('form.booking', fields)
        if status != 409:
            raise StepFailed(f"booking the same slot again answered {status} (expected 409)")
        if "Scenario screening" not in member.text("[role=alert], .conflicts, main"):
            raise StepFailed("the refusal does not name the conflicting booking")
        alternatives = member.count("form.alternative")
        if alternatives == 0:
            raise StepFailed("the refusal offers no alternative")

    def alternative() -> None:
        status = member.submit("form.alternative", button="button[type=submit]")
        state["second"] = booking_id(member.path())
        if status != 200 or state["second"] == state["first"]:
            raise StepFailed(f"booking the alternative answered {status}, on {member.path()}")

    def approve() -> None:
        manager.sign_in({"username": arguments.manager_username, "password": arguments.manager_password})
        if manager.open(f"/desk?lang={arguments.language}") != 200:
            raise StepFailed("GET /desk did not answer 200")
        queue = f'form[action="/desk/bookings/{state["second"]}/approve"]'
        if manager.count(queue) != 1 or manager.count(f'form[action="/desk/bookings/{state["first"]}/approve"]') != 1:
            raise StepFailed("the approval queue does not hold both requests")
        status = manager.submit(queue)
        if status != 200 or not manager.path().startswith("/desk"):
            raise StepFailed(f"approving answered {status}, on {manager.path()}")
        if manager.count(queue) != 0:
            raise StepFailed("the approved request is still in the queue")

    def confirmed() -> None:
        if member.open(f"/bookings/{state['second']}") != 200:
            raise StepFailed("the member's booking page did not answer 200")
        if manager_status(arguments, state["second"]) != "confirmed":
            raise StepFailed("the API does not show the approved booking as confirmed")

    for name, actor, action in [("scenario-1-booked", member, book), ("scenario-2-conflict", member, conflict),
                                ("scenario-3-alternative", member, alternative),
                                ("scenario-4-approved", manager, approve),
                                ("scenario-5-confirmed", member, confirmed)]:
        if not step(name, actor, action):
            break
    return results


def manager_status(arguments: argparse.Namespace, booking: int) -> str:
    """The booking's status as the API tells the manager (a second opinion on what the pages showed)."""
    request = urllib.request.Request(f"{arguments.base_url.rstrip('/')}/api/v1/bookings/{booking}",
                                     headers={"Authorization": f"Bearer {arguments.manager_token}"})
    with urllib.request.urlopen(request, timeout=arguments.timeout) as response:
        return json.load(response).get("status", "")


def report(name: str, problems: list[str], shot: str | None) -> None:
    print(f"{'ok  ' if not problems else 'FAIL'} {name}{' -> ' + shot if shot else ''}", flush=True)
    for problem in problems:
        print(f"       - {problem}", flush=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="the daemon, e.g. http://127.0.0.1:8080")
    parser.add_argument("--member-token", default=os.environ.get("HAPESIRA_MEMBER_TOKEN"),
                        help="the member organisation's API token ($HAPESIRA_MEMBER_TOKEN)")
    parser.add_argument("--manager-token", default=os.environ.get("HAPESIRA_MANAGER_TOKEN"),
                        help="the manager's API token, to read the approved booking back ($HAPESIRA_MANAGER_TOKEN)")
    parser.add_argument("--manager-username", default="kino-manager")
    parser.add_argument("--manager-password", default=os.environ.get("HAPESIRA_MANAGER_PASSWORD"),
                        help="the manager's web login password ($HAPESIRA_MANAGER_PASSWORD)")
    parser.add_argument("--space", default="kino-main-hall", help="a space that needs approval")
    parser.add_argument("--date", required=True, help="the day to book, YYYY-MM-DD (within the horizon)")
    parser.add_argument("--language", default="en", choices=("sq", "sr", "en"))
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM"))
    arguments = parser.parse_args(argv)
    if not (arguments.member_token and arguments.manager_token and arguments.manager_password):
        parser.error("a member token, a manager token and the manager's password are needed")
    out = Path(arguments.out)
    out.mkdir(parents=True, exist_ok=True)
    browser: Browser | None = None
    cdp: CDP | None = None
    try:
        browser = Browser(find_chromium(arguments.chromium), arguments.timeout)
        cdp = CDP(browser.url, arguments.timeout)
        results = scenario(cdp, arguments, out)
    except (CDPError, RuntimeError, OSError, websocket.WebSocketException) as error:
        print(f"browser-scenario: the browser could not be driven: {error}", file=sys.stderr)
        return 2
    finally:
        if browser is not None:
            browser.close(cdp)
    failed = [name for name, problems, _ in results if problems]
    print(f"browser-scenario: {len(results) - len(failed)} of 5 steps passed")
    return 1 if failed or len(results) < 5 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

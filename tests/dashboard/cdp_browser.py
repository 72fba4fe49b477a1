"""A small headless Chromium driver for the rendering tests: the DevTools protocol over a pipe.

No dependency beyond the standard library and the ``chromium`` executable:
Chromium is started with ``--remote-debugging-pipe`` and reads protocol
messages (JSON, each ending with a NUL byte) on its file descriptor 3 and
writes replies and events on 4. One page (a target attached in flattened
mode) is enough for the tests: set its viewport, load a file, evaluate
expressions, capture a screenshot, and list the network requests it made.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

#: The flags this machine and CI need: no sandbox (root in a container), no GPU, and nothing
#: that reaches the network on its own.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
)
#: How long to wait for one reply before giving up (a hang guard, not a timing assertion).
PATIENCE = 60.0


class BrowserError(RuntimeError):
    """Chromium failed, replied with an error, or did not reply in time."""


def find_chromium() -> str | None:
    """The Chromium executable: ``$PARTNERKIT_CHROMIUM``, else the first on PATH."""
    named = os.environ.get("PARTNERKIT_CHROMIUM")
    if named:
        return named if Path(named).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """A headless Chromium driven over ``--remote-debugging-pipe``, with one page."""

    def __init__(self, executable: str, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def plumb() -> None:  # in the child, before exec: the pipe ends become fds 3 and 4
            # Move both ends above 4 first: a pipe end may itself be fd 3 or 4.
            reading = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 5)
            writing = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 5)
            os.dup2(reading, 3)
            os.dup2(writing, 4)

        self._process = subprocess.Popen(
            [executable, *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={profile}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,
            preexec_fn=plumb,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self.send("Page.enable", session=True)
        self.send("Network.enable", session=True)

    # -- the protocol --------------------------------------------------------------------------

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise BrowserError("Chromium closed the pipe")
                self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, session: bool = False
    ) -> dict[str, Any]:
        """Call ``method`` (on the page when ``session``) and return its result."""
        self._next_id += 1
        call: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            call["sessionId"] = self._session
        os.write(self._to_chrome, json.dumps(call).encode() + b"\0")
        deadline = time.monotonic() + PATIENCE
        while True:
            message = self._read_message(deadline)
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            if "method" in message:
                self._events.append(message)

    def wait_for(self, event: str) -> dict[str, Any]:
        """Wait for the page's next ``event`` (already received ones count first)."""
        deadline = time.monotonic() + PATIENCE
        while True:
            for i, message in enumerate(self._events):
                if message["method"] == event and message.get("sessionId") == self._session:
                    del self._events[i]
                    found: dict[str, Any] = message.get("params", {})
                    return found
            message = self._read_message(deadline)
            if "method" in message:
                self._events.append(message)

    # -- the page ------------------------------------------------------------------------------

    def open(self, path: Path, width: int, height: int = 900) -> None:
        """Load the file at ``path`` in a viewport ``width`` CSS pixels wide (mobile below 600)."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
            session=True,
        )
        self._events.clear()
        self.send("Page.navigate", {"url": path.resolve().as_uri()}, session=True)
        self.wait_for("Page.loadEventFired")

    def requests(self) -> list[str]:
        """The URLs the page requested since it was opened (its own document included)."""
        return [
            m["params"]["request"]["url"]
            for m in self._events
            if m["method"] == "Network.requestWillBeSent" and m.get("sessionId") == self._session
        ]

    def evaluate(self, expression: str) -> Any:
        """The JSON value of ``expression`` evaluated in the page."""
        result = self.send(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        """Save a PNG of the whole page (not only the viewport) at ``path``."""
        width, height = self.evaluate(
            "[document.documentElement.clientWidth, document.documentElement.scrollHeight]"
        )
        shot = self.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            },
            session=True,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def close(self) -> None:
        """Close Chromium and the pipes."""
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close")
        try:
            self._process.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)

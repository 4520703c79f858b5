"""Browser tests: Playwright driving Debian's Chromium against a real server process.

The server runs `manage.py runserver` on its own database (trialfinder_browser:
the seed trials plus the shared real records), so these tests see the product as a
patient does and leave the other tests' database alone. Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from ..conftest import STUDIES

CHROMIUM = Path("/usr/bin/chromium")
BASE = Path(settings.BASE_DIR)
ARTIFACTS = BASE / "test-artifacts"
AXE = BASE / "tests" / "vendor" / "axe-4.11.0.min.js"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def browser_env() -> dict[str, str]:
    """The environment of the test server and of commands run on its database."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # The tests send more contact requests from one address and to one site than the
    # contact form's limits let a patient send in an hour.
    for limit in ("CLIENT_PER_HOUR", "NETWORK_PER_HOUR", "EMAIL_PER_DAY", "SITE_PER_HOUR"):
        env[f"TRIALFINDER_CONTACT_LIMIT_PER_{limit}"] = "1000"
    if "DATABASE_URL" in env:
        env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + "/trialfinder_browser"
    else:
        env["TRIALFINDER_DB_NAME"] = "trialfinder_browser"
    return env


@pytest.fixture(scope="session")
def live_url(tmp_path_factory):
    env = browser_env()
    manage = [sys.executable, "manage.py"]
    reset = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'finder.settings'); django.setup()\n"
        "from django.db import connection\n"
        "with connection._nodb_cursor() as c:\n"
        # Plain DROP, not WITH (FORCE), which a role that is not a superuser is refused
        # when an autovacuum worker is on the database; plain DROP waits for the worker.
        '    c.execute("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"\n'
        "              \" WHERE datname = 'trialfinder_browser' AND usename = current_user\")\n"
        "    c.execute('DROP DATABASE IF EXISTS trialfinder_browser')\n"
        "    c.execute('CREATE DATABASE trialfinder_browser')\n"
    )
    subprocess.run([sys.executable, "-c", reset], cwd=BASE, env=env, check=True)
    subprocess.run([*manage, "migrate", "-v0"], cwd=BASE, env=env, check=True)
    subprocess.run([*manage, "loaddata", "seed_trials", "-v0"], cwd=BASE, env=env, check=True)
    subprocess.run([*manage, "load_places", "-v0"], cwd=BASE, env=env, check=True)
    if STUDIES.exists():
        subprocess.run(
            [*manage, "import_ctgov", str(STUDIES)], cwd=BASE, env=env, capture_output=True
        )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(tmp_path_factory.mktemp("server") / "runserver.log", "w")
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=BASE,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/about-clinical-trials/", timeout=5)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"the test server did not start; see {log.name}") from None
            time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(10)
    log.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches Debian's Chromium, never a downloaded browser."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": LAUNCH_ARGS}


class Visit:
    """A browser page that records every host it talks to."""

    def __init__(self, context, base_url: str):
        self.context = context
        self.page = context.new_page()
        self.base_url = base_url
        self.hosts: set[str] = set()
        self.page.on("request", lambda request: self.hosts.add(urlsplit(request.url).netloc))

    def goto(self, path: str):
        return self.page.goto(self.base_url + path)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def axe_violations(self, tags=("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")) -> list[dict]:
        self.page.add_script_tag(content=AXE.read_text())
        return self.page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
            ".then(r => r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))})))",
            list(tags),
        )

    def assert_only_our_host(self):
        ours = urlsplit(self.base_url).netloc
        assert self.hosts <= {ours}, f"requests to other hosts: {self.hosts - {ours}}"


@pytest.fixture
def visit(browser, live_url):
    # bypass_csp lets the tests inject axe-core; the site itself never needs it.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    yield Visit(context, live_url)
    context.close()


@pytest.fixture
def visit_phone(browser, live_url):
    context = browser.new_context(
        viewport={"width": 375, "height": 800}, bypass_csp=True, is_mobile=True
    )
    yield Visit(context, live_url)
    context.close()


@pytest.fixture
def visit_without_js(browser, live_url):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    yield Visit(context, live_url)
    context.close()

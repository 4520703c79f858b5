"""Security headers on every page, and the production settings pass `check --deploy`."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?condition=lupus",
        "/trials/NCT05631717/",
        "/about-clinical-trials/",
        "/trials/NCT00000000/",
        "/api/trials/",
        "/admin/login/",
    ],
)
def test_every_response_carries_a_strict_content_security_policy(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert (
        "default-src 'self'" in policy
        and "script-src 'self'" in policy
        and "style-src 'self'" in policy
    )
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_load_nothing_from_other_hosts(client):
    for path in ["/", "/about-clinical-trials/"]:
        page = client.get(path).content.decode()
        assert 'src="http' not in page and 'href="//' not in page
        assert '<link rel="stylesheet" href="/static/' in page


def readme_production_settings() -> dict[str, str]:
    """The environment README's production section sets, as a shell would read it."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme[readme.index("## Production") :]
    block = section[section.index("```sh") + 5 : section.index("```", section.index("```sh") + 5)]
    words = shlex.split(block.replace("\\\n", " "), comments=True)
    start = words.index("export") + 1
    pairs = [w for w in words[start:] if "=" in w and not w.startswith("-")]
    return dict(pair.split("=", 1) for pair in pairs)


def check_deploy(**env) -> subprocess.CompletedProcess:
    """`check --deploy` under the project's settings (not the tests', which turn DEBUG on)."""
    env = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    env["DJANGO_SETTINGS_MODULE"] = "finder.settings"
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )


def test_check_deploy_is_clean_under_readmes_production_settings():
    documented = readme_production_settings()
    assert {"DJANGO_SECRET_KEY", "TRIALFINDER_SITE_URL", "DATABASE_URL"} <= documented.keys()
    documented["DJANGO_SECRET_KEY"] = (
        "x" * 20 + "-production-like-secret-key-with-entropy-0123456789"
    )
    result = check_deploy(**documented, DJANGO_DEBUG=None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_settings_left_at_their_development_defaults():
    result = check_deploy(
        DJANGO_DEBUG=None,
        DJANGO_SECRET_KEY="x" * 20 + "-production-like-secret-key-with-entropy-0123456789",
        DJANGO_ALLOWED_HOSTS="trials.example.org",
        DJANGO_EMAIL_HOST="smtp.example.org",
        DJANGO_EMAIL_USE_TLS="false",
        TRIALFINDER_SITE_URL=None,
        TRIALFINDER_COORDINATOR_INBOX=None,
        DJANGO_DEFAULT_FROM_EMAIL=None,
    )
    assert result.returncode != 0
    for code in ["trialfinder.E001", "trialfinder.E002", "trialfinder.E003", "trialfinder.E004"]:
        assert code in result.stderr, result.stderr
    assert "E-mails to smtp.example.org would go unencrypted" in result.stderr


def production_setting(name: str, **env) -> str:
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "k" * 60,
        **env,
    }
    env.pop("DJANGO_DEBUG", None)
    shown = subprocess.run(
        [sys.executable, "-c", f"from finder import settings; print(settings.{name})"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return shown.stdout.strip()


def test_debug_is_off_unless_switched_on():
    assert production_setting("DEBUG") == "False"


def test_production_mail_uses_starttls_on_the_submission_port_by_default():
    assert production_setting("EMAIL_USE_TLS") == "True"
    assert production_setting("EMAIL_PORT") == "587"
    assert production_setting("EMAIL_PORT", DJANGO_EMAIL_USE_SSL="true") == "465"
    assert production_setting("EMAIL_USE_TLS", DJANGO_EMAIL_USE_SSL="true") == "False"


# The database: what PostgreSQL sees and how long a web request may hold it


def test_the_sites_queries_send_their_values_apart_from_the_statement():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::text, query FROM pg_stat_activity WHERE pid = pg_backend_pid()",
            ["Quellington"],
        )
        value, seen_by_the_server = cursor.fetchone()
    assert value == "Quellington"
    assert "Quellington" not in seen_by_the_server and "$1" in seen_by_the_server


def test_a_search_the_database_cancels_gets_the_friendly_503(client, settings, monkeypatch):
    from django.db import connection

    from finder import views

    settings.STATEMENT_TIMEOUT_MS = 50

    def slow(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(2)")

    monkeypatch.setattr(views.engine, "run", slow)
    client.raise_request_exception = False
    response = client.get("/?condition=lupus")
    assert response.status_code == 503
    assert "This took too long" in response.content.decode()


def test_staff_sessions_end_after_a_working_day(client, django_user_model):
    user = django_user_model.objects.create_user("alice", password="pw", is_staff=True)
    client.force_login(user)
    assert client.session.get_expiry_age() == 8 * 3600

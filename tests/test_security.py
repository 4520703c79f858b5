"""Security headers on every page, and the production settings pass `check --deploy`."""

from __future__ import annotations

import os
import subprocess
import sys

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


def test_check_deploy_is_clean_under_the_production_settings():
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "x" * 20
        + "-production-like-secret-key-with-enough-entropy-0123456789",
        "DJANGO_ALLOWED_HOSTS": "trials.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout

"""Helpers for the API v2 tests: requests, and the records read from the JSON alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from .conftest import SHARED

SPEC = SHARED / "ctgov-api" / "ctg-oas-v2.yaml"


def load_spec() -> dict:
    return yaml.safe_load(Path(SPEC).read_text())


class Answer:
    def __init__(self, response):
        self.response = response
        self.status = response.status_code
        body = b"".join(response.streaming_content) if response.streaming else response.content
        self.body = body
        self.headers = response.headers

    @property
    def text(self) -> str:
        return self.body.decode()

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def ids(self) -> list[str]:
        return [nct_id(s) for s in self.json["studies"]]


def get(client, path: str = "/api/v2/studies", **params) -> Answer:
    return Answer(client.get(path, params))


def nct_id(study: dict) -> str:
    return study["protocolSection"]["identificationModule"]["nctId"]


def stored_records(real_studies, edge_studies) -> dict[str, dict]:
    """NCT ID -> the study as the store keeps it (the later of two copies wins; records
    the importer refuses are left out), from the JSON files alone."""
    found = {}
    for study in real_studies + edge_studies:
        protocol = study.get("protocolSection", {})
        if "statusModule" not in protocol:
            continue
        ident = protocol.get("identificationModule", {}).get("nctId")
        found[ident] = study
    return found


def every_page(client, **params) -> list[dict]:
    """Every study of a query, following nextPageToken."""
    studies, token = [], None
    for _ in range(1000):
        answer = get(client, **params, **({"pageToken": token} if token else {}))
        assert answer.status == 200, answer.text
        data = answer.json
        studies.extend(data["studies"])
        token = data.get("nextPageToken")
        if not token:
            return studies
    pytest.fail("more than 1000 pages")

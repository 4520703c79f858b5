"""The ClinicalTrials.gov importer: formats, fidelity, idempotency, updates, bad input, the API."""

from __future__ import annotations

import copy
import gzip
import io
import json
import os
import re
import subprocess
import sys
import zipfile

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from trials.models import ContactRequest, Site, Trial

from .conftest import STUDIES

pytestmark = pytest.mark.django_db

UNITS = {"year": 365.25, "month": 365.25 / 12, "week": 7, "day": 1, "minute": 1 / 1440}


def expected_days(text):
    if not text or text == "N/A":
        return None
    number, unit = text.split()
    return int(float(number) * UNITS[unit.lower().rstrip("s")])


def nct(study):
    return study["protocolSection"]["identificationModule"]["nctId"]


def importable(studies):
    return [s for s in studies if "statusModule" in s.get("protocolSection", {})]


def empty_trials():
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE trials_trial, trials_conditionterm CASCADE")


def run_import(*args, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_ctgov", *map(str, args), stdout=out, stderr=err, **kwargs)
    except CommandError as exc:
        return out.getvalue(), err.getvalue() + str(exc), exc.returncode
    return out.getvalue(), err.getvalue(), 0


def sample(studies, n=3):
    return [copy.deepcopy(s) for s in importable(studies)[:n]]


# Fidelity on the real records (imported once for the session, see conftest.py)


def test_it_imports_every_real_record_with_a_status(real_studies, edge_studies):
    expected = {nct(s) for s in importable(real_studies + edge_studies)}
    assert set(Trial.objects.values_list("nct_id", flat=True)) == expected
    assert Site.objects.count() == sum(
        len(s["protocolSection"].get("contactsLocationsModule", {}).get("locations", []))
        for s in {nct(s): s for s in importable(real_studies + edge_studies)}.values()
    )


def test_it_stores_real_records_field_by_field(real_studies, edge_studies):
    latest = {nct(s): s for s in importable(real_studies + edge_studies)}
    for nct_id in list(latest)[::40]:
        study = latest[nct_id]
        ps = study["protocolSection"]
        trial = Trial.objects.get(nct_id=nct_id)
        status = ps["statusModule"]
        eligibility = ps.get("eligibilityModule", {})
        browse = study.get("derivedSection", {}).get("conditionBrowseModule", {})
        assert trial.overall_status == status["overallStatus"]
        assert trial.phases == ps.get("designModule", {}).get("phases", [])
        assert trial.conditions == ps.get("conditionsModule", {}).get("conditions", [])
        assert trial.mesh_terms == [m["term"] for m in browse.get("meshes", [])]
        assert trial.mesh_ancestors == [m["term"] for m in browse.get("ancestors", [])]
        assert trial.min_age_days == expected_days(eligibility.get("minimumAge"))
        assert trial.max_age_days == expected_days(eligibility.get("maximumAge"))
        assert trial.sex == eligibility.get("sex", "")
        assert trial.healthy_volunteers == eligibility.get("healthyVolunteers")
        locations = ps.get("contactsLocationsModule", {}).get("locations", [])
        assert trial.sites.count() == trial.site_count == len(locations)
        assert trial.countries == sorted(
            {loc["country"] for loc in locations if loc.get("country")}
        )
        start = status.get("startDateStruct", {}).get("date")
        if start:
            assert trial.start.isoformat() == start
            assert trial.start_date_precision == {7: "M", 10: "D"}[len(start)]
        assert trial.raw == study


def test_analyze_keeps_statistics_only_for_the_columns_queries_filter_on(real_studies):
    # Autovacuum analyzes trials_trial during large imports: the texts and the original
    # JSON, which only pages display, are left out of it (migration 0016).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE trials_trial")
        cursor.execute("SELECT attname FROM pg_stats WHERE tablename = 'trials_trial'")
        columns = {name for (name,) in cursor.fetchall()}
    assert {"overall_status", "search_document", "condition_document", "phases"} <= columns
    assert not columns & {"raw", "brief_summary", "eligibility_criteria", "rank_document"}


def test_it_keeps_a_months_precision():
    trial = Trial.objects.filter(start_date_precision="M").first()
    assert trial.start_date.day == 1
    assert str(trial.start) == trial.start_date.strftime("%B %Y")  # "January 2017", not "1 January"


def test_it_reads_ages_in_months_weeks_and_days(edge_studies):
    odd = [
        s
        for s in importable(edge_studies)
        if re.search(
            r"Month|Week|Day",
            s["protocolSection"].get("eligibilityModule", {}).get("minimumAge", ""),
        )
    ]
    assert odd, "the edge cases should hold ages in months, weeks or days"
    for study in odd:
        trial = Trial.objects.get(nct_id=nct(study))
        assert trial.min_age_days == expected_days(
            study["protocolSection"]["eligibilityModule"]["minimumAge"]
        )


def test_a_missing_maximum_age_means_no_limit():
    trial = Trial.objects.filter(maximum_age="").exclude(minimum_age="").first()
    assert trial.max_age_days is None
    assert Trial.objects.filter(pk=trial.pk).for_age(120).exists()


def test_it_trusts_the_records_own_nct_id(edge_studies):
    # Saved upstream as NCT02278341 but the record is NCT02552212.
    assert Trial.objects.filter(nct_id="NCT02552212").exists()


def test_it_counts_two_phases_as_a_list():
    trial = Trial.objects.filter(phases=["PHASE1", "PHASE2"]).first()
    assert trial is not None and trial.phase_labels == ["Phase 1", "Phase 2"]


# Formats


@pytest.fixture
def three(real_studies):
    empty_trials()
    return sample(real_studies, 3)


def write_formats(tmp_path, studies):
    jsonl = "\n".join(json.dumps(s) for s in studies) + "\n"
    files = {
        "single.json": json.dumps(studies[0], indent=2),
        "page.json": json.dumps({"studies": studies, "nextPageToken": "abc", "totalCount": 3}),
        "array.json": json.dumps(studies, indent=1),
        "lines.jsonl": jsonl,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with gzip.open(tmp_path / "lines.jsonl.gz", "wt") as fp:
        fp.write(jsonl)
    with gzip.open(tmp_path / "page.json.gz", "wt") as fp:
        fp.write(files["page.json"])
    with zipfile.ZipFile(tmp_path / "ctg-studies.json.zip", "w") as archive:
        for study in studies:
            archive.writestr(f"{nct(study)}.json", json.dumps(study))
    return tmp_path


@pytest.mark.parametrize(
    "name, count",
    [
        ("single.json", 1),
        ("page.json", 3),
        ("array.json", 3),
        ("lines.jsonl", 3),
        ("lines.jsonl.gz", 3),
        ("page.json.gz", 3),
        ("ctg-studies.json.zip", 3),
    ],
)
def test_it_reads_every_format(tmp_path, three, name, count):
    write_formats(tmp_path, three)
    out, err, code = run_import(tmp_path / name)
    assert code == 0, err
    assert f"{count} created" in out
    assert set(Trial.objects.values_list("nct_id", flat=True)) == {nct(s) for s in three[:count]}


class Trickle(io.StringIO):
    """A file that hands out one character per read, so every token is cut somewhere."""

    def read(self, size=-1):
        return super().read(1)


def test_it_reads_records_cut_anywhere_by_the_read_buffer():
    from trials.sources import iter_text

    records = [
        {
            "protocolSection": {
                "a": True,
                "b": False,
                "c": None,
                "d": -12.5e3,
                "e": 'caf\u00e9 \\ " ≥',
            }
        },
        {"protocolSection": {"x": [True, 1, "", {}], "y": "🧬"}},
    ]
    texts = {
        "lines": "\n".join(json.dumps(r) for r in records) + "\n",
        "array": json.dumps(records, indent=2),
        "page": json.dumps({"studies": records, "nextPageToken": None}),
    }
    for name, text in texts.items():
        items = list(iter_text(Trickle(text), name))
        assert [i.error for i in items] == [None, None], name
        assert [i.study for i in items] == records, name


FIRST, SECOND = {"protocolSection": {"n": 1}}, {"protocolSection": {"n": "二"}}
# JSON Lines with every kind of line a parallel import hands over undecoded, or not.
AWKWARD_LINES = [
    json.dumps(FIRST),
    '{"protocolSection": {"n": 2,',  # truncated
    json.dumps({"studies": [FIRST, SECOND], "nextPageToken": None}),  # a page on a line
    "[1, 2]",
    json.dumps(SECOND, ensure_ascii=False),
    json.dumps(FIRST) + " trailing",
    json.dumps(FIRST) + " " + json.dumps(SECOND),  # two records on a line
    json.dumps(SECOND, indent=2),  # a record over several lines
    json.dumps(FIRST),  # the last line has no newline
]


def readings(items):
    """What an import sees: each study or error, where (error wording may differ)."""
    from trials.sources import decoded

    found = list(decoded(items))
    assert all(
        i.error.startswith(("malformed JSON", "not ", "the file is empty"))
        for i in found
        if i.error
    )
    return [(i.source, i.position, i.study, bool(i.error)) for i in found]


@pytest.mark.parametrize("reader", [io.StringIO, Trickle])
def test_lines_left_for_the_workers_to_decode_read_the_same(reader):
    """A parallel import hands JSON Lines over undecoded; what is read must not change."""
    from trials.sources import iter_text

    text = "\n".join(AWKWARD_LINES)
    deferred = list(iter_text(reader(text), "x.jsonl", deferred=True))
    assert sum(item.text is not None for item in deferred) >= 2
    plain = readings(iter_text(reader(text), "x.jsonl"))
    assert readings(deferred) == plain
    assert [p for _, p, _, error in plain if error] == ["line 2", "line 6"]


def test_files_of_a_zip_left_for_the_workers_to_decode_read_the_same(tmp_path):
    from trials.sources import iter_paths

    path = tmp_path / "bulk.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("NCT1.json", json.dumps(FIRST))
        archive.writestr("NCT2.json", "\n\n" + json.dumps(SECOND, indent=2, ensure_ascii=False))
        archive.writestr("NCT4.json", "\r\r" + json.dumps(FIRST))  # old Mac line ends
        archive.writestr("lines.jsonl", "\n".join(AWKWARD_LINES))
        archive.writestr("NCT3.json", json.dumps(FIRST, indent=2)[:-5])  # truncated
        archive.writestr("page.json", json.dumps({"studies": [FIRST, SECOND]}))
        archive.writestr("lines.json", "\n".join(AWKWARD_LINES))
        archive.writestr("latin1.json", '{"a": "caf\xe9"}'.encode("latin-1"))
        archive.writestr("empty.json", "")
    deferred = list(iter_paths([path], deferred=True))
    assert sum(item.text is not None for item in deferred) >= 3
    plain = readings(iter_paths([path]))
    assert readings(deferred) == plain
    bad = {source.rpartition(":")[2] for source, _, _, error in plain if error}
    assert bad == {"NCT3.json", "lines.json", "lines.jsonl", "latin1.json", "empty.json"}


def test_it_reads_a_directory_of_files(tmp_path, three):
    folder = tmp_path / "bulk"
    folder.mkdir()
    for study in three:
        (folder / f"{nct(study)}.json").write_text(json.dumps(study))
    out, err, code = run_import(folder)
    assert code == 0 and "3 created" in out


# Idempotency and updates


def test_importing_twice_changes_nothing(tmp_path, three):
    write_formats(tmp_path, three)
    run_import(tmp_path / "lines.jsonl")
    before = list(Trial.objects.order_by("pk").values_list("pk", "imported_at"))
    sites = list(Site.objects.order_by("pk").values_list("pk", flat=True))
    out, _, code = run_import(tmp_path / "lines.jsonl")
    assert code == 0
    assert "0 created, 0 updated, 3 unchanged, 0 skipped" in out
    assert list(Trial.objects.order_by("pk").values_list("pk", "imported_at")) == before
    assert list(Site.objects.order_by("pk").values_list("pk", flat=True)) == sites


def test_a_newer_version_updates_in_place_and_keeps_contact_requests(tmp_path, real_studies):
    empty_trials()
    study = next(
        copy.deepcopy(s)
        for s in importable(real_studies)
        if len(s["protocolSection"].get("contactsLocationsModule", {}).get("locations", [])) >= 3
    )
    path = tmp_path / "one.json"
    path.write_text(json.dumps(study))
    run_import(path)
    trial = Trial.objects.get(nct_id=nct(study))
    first, last = trial.sites.order_by("position")[0], trial.sites.order_by("position").last()
    kept = ContactRequest.objects.create(
        trial=trial, site=first, first_name="A", last_name="B", email="a@example.org", phone="123"
    )
    orphan = ContactRequest.objects.create(
        trial=trial, site=last, first_name="C", last_name="D", email="c@example.org", phone="456"
    )
    locations = study["protocolSection"]["contactsLocationsModule"]["locations"]
    study["protocolSection"]["contactsLocationsModule"]["locations"] = locations[:-1]
    study["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    study["protocolSection"]["identificationModule"]["briefTitle"] = "A new title"
    path.write_text(json.dumps(study))
    out, _, code = run_import(path)
    assert code == 0 and "1 updated" in out
    trial.refresh_from_db()
    assert (trial.pk, trial.overall_status, trial.brief_title) == (
        trial.pk,
        "COMPLETED",
        "A new title",
    )
    assert trial.site_count == len(locations) - 1
    kept.refresh_from_db()
    orphan.refresh_from_db()
    assert kept.site_id == first.pk and Site.objects.get(pk=first.pk).listed
    # The site left the record, but the patient's request still points at it.
    assert Site.objects.get(pk=orphan.site_id).listed is False
    assert trial.sites.filter(listed=True).count() == len(locations) - 1


def test_a_newer_version_brings_its_arms_interventions_outcomes_and_contacts(
    tmp_path, real_studies
):
    empty_trials()
    study = next(
        copy.deepcopy(s)
        for s in importable(real_studies)
        if s["protocolSection"].get("armsInterventionsModule", {}).get("armGroups")
        and s["protocolSection"].get("outcomesModule", {}).get("primaryOutcomes")
    )
    path = tmp_path / "one.json"
    path.write_text(json.dumps(study))
    run_import(path)
    arms = study["protocolSection"]["armsInterventionsModule"]["armGroups"]
    arms[0]["label"] = "A renamed arm"
    study["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    path.write_text(json.dumps(study))
    out, _, code = run_import(path)
    assert code == 0 and "1 updated" in out
    trial = Trial.objects.get(nct_id=nct(study))
    assert [a.label for a in trial.arm_groups.order_by("position")] == [a["label"] for a in arms]
    assert trial.arm_groups.first().label == "A renamed arm"
    assert trial.outcomes.count() == sum(
        len(study["protocolSection"]["outcomesModule"].get(kind, []))
        for kind in ("primaryOutcomes", "secondaryOutcomes", "otherOutcomes")
    )
    interventions = study["protocolSection"]["armsInterventionsModule"].get("interventions", [])
    assert trial.interventions.count() == len(interventions)


# Bad input: reported with file, position and NCT ID, skipped; exit status 1


def test_it_reports_and_skips_malformed_records(tmp_path, real_studies):
    empty_trials()
    good = sample(real_studies, 2)
    wrong_type = copy.deepcopy(good[0])
    wrong_type["protocolSection"]["identificationModule"]["nctId"] = "NCT99999991"
    wrong_type["protocolSection"]["designModule"]["phases"] = "PHASE2"
    no_id = copy.deepcopy(good[0])
    del no_id["protocolSection"]["identificationModule"]["nctId"]
    no_status = copy.deepcopy(good[0])
    no_status["protocolSection"]["identificationModule"]["nctId"] = "NCT99999992"
    del no_status["protocolSection"]["statusModule"]
    bad_status = copy.deepcopy(good[0])
    bad_status["protocolSection"]["identificationModule"]["nctId"] = "NCT99999993"
    bad_status["protocolSection"]["statusModule"]["overallStatus"] = "MAYBE"
    lines = [
        json.dumps(good[0]),
        json.dumps(wrong_type),
        json.dumps(good[1])[:500],  # truncated
        json.dumps(no_id),
        json.dumps(no_status),
        json.dumps(bad_status),
        json.dumps(good[1]),
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    out, err, code = run_import(path)
    assert code == 1
    assert "2 created, 0 updated, 0 unchanged, 5 skipped" in out
    assert f"{path}, line 2 [NCT99999991]: designModule.phases should be a list" in err
    assert f"{path}, line 3: malformed JSON" in err
    assert f"{path}, line 4: the record has no identificationModule.nctId" in err
    assert f"{path}, line 5 [NCT99999992]: the record has no statusModule" in err
    assert "line 6 [NCT99999993]: statusModule.overallStatus is 'MAYBE'" in err
    assert Trial.objects.count() == 2


def test_numbers_where_text_belongs_are_stored_as_text_and_pages_still_render(client, real_studies):
    study = sample(real_studies, 1)[0]
    ps = study["protocolSection"]
    ps["identificationModule"]["nctId"] = "NCT99999994"
    ps["referencesModule"] = {
        "references": [{"citation": 1, "pmid": 12345}],
        "seeAlsoLinks": [{"label": 2, "url": 3}],
    }
    ps["sponsorCollaboratorsModule"]["responsibleParty"] = {
        "type": "SPONSOR",
        "investigatorFullName": 7,
    }
    path = tmp_path_json(study)
    _, err, code = run_import(path)
    assert code == 0, err
    trial = Trial.objects.get(nct_id="NCT99999994")
    assert trial.references == [{"citation": "1", "pmid": "12345"}]
    assert client.get("/trials/NCT99999994/").status_code == 200
    assert client.get("/api/trials/NCT99999994/").status_code == 200


def tmp_path_json(study) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fp:
        json.dump(study, fp)
    return fp.name


def test_nan_and_infinity_are_not_json(tmp_path, real_studies):
    """Python's json reads them; JSON and jsonb have no such values: refused, not nulled."""
    empty_trials()
    good = sample(real_studies, 1)[0]
    text = json.dumps(good)
    with_nan = text.replace('"protocolSection": {', '"protocolSection": {"x": NaN, ', 1)
    with_nan = with_nan.replace(nct(good), "NCT99999994")
    pretty = json.dumps(good, indent=2).replace(
        '"protocolSection": {', '"protocolSection": {"x": [1, -Infinity], ', 1
    )
    (tmp_path / "lines.jsonl").write_text(text + "\n" + with_nan + "\n")
    (tmp_path / "one.json").write_text(pretty.replace(nct(good), "NCT99999995"))
    out, err, code = run_import(tmp_path)
    assert "1 created, 0 updated, 0 unchanged, 2 skipped" in out, (out, err)
    assert "lines.jsonl, line 2: malformed JSON: NaN is not a JSON value (line 2)" in err
    assert "one.json, line 1: malformed JSON: -Infinity is not a JSON value (line 2); " in err
    assert list(Trial.objects.values_list("nct_id", flat=True)) == [nct(good)]


def test_a_malformed_record_over_many_lines_is_one_problem(tmp_path, real_studies):
    """Not one per line of the record: reading stops there, with the line of the fault."""
    empty_trials()
    pretty = json.dumps(sample(real_studies, 1)[0], indent=2).splitlines()
    pretty[5] = pretty[5].replace(":", ": tru", 1)
    (tmp_path / "one.json").write_text("\n".join(pretty))
    out, err, code = run_import(tmp_path)
    assert "0 created, 0 updated, 0 unchanged, 1 skipped" in out, (out, err)
    assert "one.json, line 1: malformed JSON: Expecting value (line 6); " in err
    assert "the rest of this file was not read" in err


def test_lists_of_text_keep_quotes_backslashes_and_braces(tmp_path, real_studies):
    """The importer writes arrays as PostgreSQL array literals itself: what it stores must
    read back as given."""
    empty_trials()
    study = sample(real_studies, 1)[0]
    tricky = [
        'say "lupus"',
        "back\\slash",
        "{braces}, commas",
        "NULL",
        "tab\tnew\nline",
        "café ≥ 2",
    ]
    study["protocolSection"]["conditionsModule"]["conditions"] = tricky
    # Alone in its list, a value holding the separator of an array literal.
    study["protocolSection"]["conditionsModule"]["keywords"] = ["", " ", 'split","here']
    path = tmp_path / "tricky.json"
    path.write_text(json.dumps(study))
    out, err, code = run_import(path)
    assert code == 0, err
    trial = Trial.objects.get(nct_id=nct(study))
    assert trial.conditions == tricky
    assert trial.keywords == [" ", 'split","here']  # empty text is dropped, as before
    assert trial.raw == study


def test_the_condition_vocabulary_counts_each_trial_once_in_its_commonest_spelling(
    tmp_path, real_studies
):
    from trials.models import ConditionTerm

    empty_trials()
    studies = sample(real_studies, 3)
    spellings = [["Lupus Nephritis", "lupus  nephritis"], ["lupus nephritis"], ["Lupus Nephritis"]]
    for i, (study, conditions) in enumerate(zip(studies, spellings, strict=True)):
        study["protocolSection"]["conditionsModule"]["conditions"] = conditions
        study["protocolSection"]["statusModule"]["overallStatus"] = ["RECRUITING", "COMPLETED"][
            i % 2
        ]
        browse = study.setdefault("derivedSection", {}).setdefault("conditionBrowseModule", {})
        browse["meshes"] = [{"id": "D008181", "term": "Lupus Nephritis"}] if i == 0 else []
        browse["ancestors"] = []
    path = tmp_path / "three.jsonl"
    path.write_text("\n".join(json.dumps(s) for s in studies) + "\n")
    out, err, code = run_import(path)
    assert code == 0, err
    term = ConditionTerm.objects.get(normalized="lupus nephritis")
    assert (term.term, term.trial_count, term.open_trial_count) == ("Lupus Nephritis", 3, 2)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (b"   \n", "the file is empty"),
        (b"NCT ID,Title\nNCT1,x\n", "not JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not JSON"),
        (b'[{"protocolSection": {', "malformed JSON"),
        (b'{"studies": [{"protocolSection": {}}', "malformed JSON"),
        (gzip.compress(b'{"a": 1}')[:-8], "damaged or truncated"),
    ],
)
def test_it_reports_files_that_are_not_studies(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    count = Trial.objects.count()
    out, err, code = run_import(path)
    assert code == 1
    assert message in err
    assert str(path) in err
    assert Trial.objects.count() == count


def test_strict_stops_at_the_first_bad_record_and_writes_nothing(tmp_path, real_studies):
    empty_trials()
    good = sample(real_studies, 3)
    path = tmp_path / "strict.jsonl"
    path.write_text(
        "\n".join([json.dumps(good[0]), json.dumps(good[1]), "{oops", json.dumps(good[2])])
    )
    out, err, code = run_import(path, strict=True)
    assert code == 1
    assert "nothing was written" in err and "line 3" in err
    assert Trial.objects.count() == 0
    _, _, code = run_import(path.with_name("missing.json"))
    assert code == 1


def test_a_missing_path_is_reported(tmp_path):
    _, err, code = run_import(tmp_path / "nope.json")
    assert code == 1 and "no such file or directory" in err


# The live API, served by a local HTTP server


def test_it_fetches_every_page_from_the_api(httpserver, settings, real_studies):
    empty_trials()
    settings.CTGOV_API_URL = httpserver.url_for("/api/v2/studies")
    settings.CTGOV_API_BACKOFF = 0.01
    studies = sample(real_studies, 3)
    httpserver.expect_ordered_request(
        "/api/v2/studies",
        query_string={"query.cond": "lupus nephritis", "format": "json", "pageSize": "1000"},
    ).respond_with_json({"studies": studies[:2], "nextPageToken": "PAGE2"})
    httpserver.expect_ordered_request("/api/v2/studies").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/api/v2/studies").respond_with_data("slow down", status=429)
    httpserver.expect_ordered_request(
        "/api/v2/studies",
        query_string={
            "query.cond": "lupus nephritis",
            "format": "json",
            "pageSize": "1000",
            "pageToken": "PAGE2",
        },
    ).respond_with_json({"studies": studies[2:]})
    out, err, code = run_import(api="query.cond=lupus nephritis")
    assert code == 0, err
    assert "3 created" in out
    httpserver.check_assertions()


def test_it_says_when_the_api_cannot_be_reached(settings):
    settings.CTGOV_API_URL = "http://127.0.0.1:9/api/v2/studies"
    settings.CTGOV_API_BACKOFF = 0.001
    _, err, code = run_import(api="query.cond=lupus")
    assert code == 1
    assert "cannot reach 127.0.0.1:9" in err


def test_it_gives_up_after_repeated_server_errors(httpserver, settings):
    settings.CTGOV_API_URL = httpserver.url_for("/api/v2/studies")
    settings.CTGOV_API_BACKOFF = 0.001
    httpserver.expect_request("/api/v2/studies").respond_with_data("down", status=502)
    _, err, code = run_import(api="query.cond=lupus")
    assert code == 1 and "still answered 502" in err


def test_it_rejects_paths_and_api_together():
    _, err, code = run_import("x.json", api="query.cond=x")
    assert code == 1 and "either" in err


def test_a_database_that_cannot_be_reached_stops_the_import_with_one_message(tmp_path):
    """Not one 'refused' line per study: the import stops, and says how to finish it."""
    env = {**os.environ, "DATABASE_URL": "postgres://nobody:x@127.0.0.1:1/nowhere"}
    for workers in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "manage.py", "import_ctgov", "--workers", workers, str(STUDIES)],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1
        assert "the database could not be reached" in done.stderr
        assert "run the import again to complete it" in done.stderr
        assert "skipped:" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "error, gone",
    [
        (psycopg.OperationalError("connection failed: Connection refused"), True),
        (psycopg.errors.AdminShutdown("terminating connection"), True),
        (psycopg.errors.ConnectionFailure("server closed the connection"), True),
        (psycopg.errors.ProgramLimitExceeded("index row size exceeds maximum"), False),
        (psycopg.errors.StringDataRightTruncation("value too long"), False),
        (psycopg.errors.UniqueViolation("duplicate key"), False),
    ],
)
def test_only_a_lost_connection_stops_an_import_not_a_refused_record(error, gone):
    from django.db.utils import OperationalError

    from trials.importer import _unreachable

    assert _unreachable(error) is gone
    wrapped = OperationalError(str(error))
    wrapped.__cause__ = error
    assert _unreachable(wrapped) is gone


# Coordinators' sites across imports


def _with_sites(nct_id: str, *facilities: tuple[str, str], last_update: str):
    from trials.importer import import_items
    from trials.sources import Item

    from .factories import study

    locations = [
        {"facility": name, "city": city, "country": "France", "status": "RECRUITING"}
        for name, city in facilities
    ]
    record = study(nct_id, locations=locations, last_update=last_update)
    return import_items([Item("test", "1", record)])


@pytest.fixture
def assigned_site(db):
    from django.contrib.auth.models import User

    from trials.models import CoordinatorAssignment

    _with_sites(
        "NCT09990001",
        ("Clinique du Parc", "Lyon"),
        ("Hôpital Nord", "Paris"),
        last_update="2026-01-01",
    )
    alice = User.objects.create_user("alice", is_staff=True)
    site = Site.objects.get(trial__nct_id="NCT09990001", facility="Clinique du Parc")
    CoordinatorAssignment.objects.create(user=alice, trial=site.trial, site=site)
    return alice


def test_a_renamed_site_keeps_its_coordinator(assigned_site):
    from trials.models import CoordinatorAssignment

    summary = _with_sites(
        "NCT09990001",
        ("Clinique du Parc Lyon Est", "Lyon"),
        ("Hôpital Nord", "Paris"),
        last_update="2026-02-01",
    )
    assignment = CoordinatorAssignment.objects.get(user=assigned_site)
    assert assignment.site.facility == "Clinique du Parc Lyon Est" and assignment.site.listed
    assert not Site.objects.filter(facility="Clinique du Parc").exists()
    assert summary.site_changes == [
        "NCT09990001: the site “Clinique du Parc” (Lyon, France) is now listed as "
        "“Clinique du Parc Lyon Est”; its coordinators (alice) moved with it."
    ]


def test_a_site_that_vanishes_stays_unlisted_with_its_coordinator_and_is_reported(
    assigned_site, tmp_path
):
    from trials.models import CoordinatorAssignment

    summary = _with_sites("NCT09990001", ("Hôpital Nord", "Paris"), last_update="2026-02-01")
    assignment = CoordinatorAssignment.objects.get(user=assigned_site)
    assert assignment.site.facility == "Clinique du Parc" and not assignment.site.listed
    assert (
        "is no longer listed; it stays, unlisted, with its coordinators (alice)"
        in (summary.site_changes[0])
    )


# Hostile files


def test_json_nested_too_deeply_is_reported_not_a_crash(tmp_path):
    from trials.importer import import_items
    from trials.sources import iter_paths

    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    lines = tmp_path / "deep.jsonl"
    lines.write_text('{"a": ' + "[" * 200_000 + "]" * 200_000 + "}\n")
    summary = import_items(iter_paths([deep, lines]))
    assert summary.skipped == 2
    assert all("nested too deeply" in problem.message for problem in summary.problems)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_ctgov", str(deep), stdout=out, stderr=err)
    assert "nested too deeply" in err.getvalue() and "Traceback" not in err.getvalue()


def test_one_huge_string_stops_at_the_record_limit_within_bounded_memory(tmp_path, monkeypatch):
    import tracemalloc

    from trials import sources

    monkeypatch.setattr(sources, "MAX_RECORD_BYTES", 4 << 20)
    monkeypatch.setattr(sources, "MAX_READ", 256 << 10)
    bomb = tmp_path / "bomb.json.gz"
    # 64 MB of a four-byte character: a gzip of about 70 KB.
    bomb.write_bytes(gzip.compress(('{"a": "' + "😀" * (16 << 20)).encode(), 9))
    tracemalloc.start()
    try:
        items = list(sources.iter_paths([bomb]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(items) == 1 and "a record larger than 4 MB" in items[0].error
    assert peak < 8 * (4 << 20), f"peak {peak >> 20} MB"  # the file is 256 MB as text


def test_an_upload_stops_at_its_uncompressed_allowance(tmp_path):
    from trials.sources import iter_paths

    studies = "\n".join(json.dumps({"n": n, "pad": "x" * 1000}) for n in range(3000))
    gz = tmp_path / "many.jsonl.gz"
    gz.write_bytes(gzip.compress(studies.encode()))
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for n in range(4):
            zf.writestr(f"part{n}.jsonl", studies)
    for path in (gz, archive):
        items = list(iter_paths([path], max_bytes=1 << 20))
        assert "more than 1 MB once uncompressed" in (items[-1].error or ""), path
        assert len(items) < 1100
        assert len(list(iter_paths([path]))) >= 3000  # the command line has no such cap

"""The coordinators' admin: who sees which contact request, the workflow, export, audit, trials.

Two coordinators, Alice (trial Alpha) and Bob (trial Beta), each try every way
into the other's requests: the list, the change and history pages by URL, search,
autocomplete, bulk actions and the CSV export.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import re
from types import SimpleNamespace
from urllib.parse import unquote_plus

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from trials import workflow
from trials.models import (
    AuditLogEntry,
    ContactRequest,
    ContactRequestEvent,
    CoordinatorAssignment,
    Trial,
)

from .factories import make_trial, study

pytestmark = pytest.mark.django_db

Status = ContactRequest.Status
Action = AuditLogEntry.Action
LIST = "/admin/trials/contactrequest/"
EXPORT = "/admin/trials/contactrequest/export/"
TRIALS = "/admin/trials/trial/"
IMPORT = "/admin/trials/trial/import/"
AUTOCOMPLETE = "/admin/autocomplete/"
AUTOCOMPLETE_REQUESTS = {
    "app_label": "trials",
    "model_name": "contactrequestevent",
    "field_name": "request",
}


def place(facility, city, country):
    return {"facility": facility, "city": city, "country": country, "status": "RECRUITING"}


def coordinator(username: str, *assignments) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", "a-long-password-1")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="Coordinators"))
    for trial, site in assignments:
        CoordinatorAssignment.objects.create(user=user, trial=trial, site=site)
    return user


def make_request(trial: Trial, site=None, *, hours_ago: float = 1, **fields) -> ContactRequest:
    values = {
        "first_name": "Pat",
        "last_name": "Ient",
        "email": "pat@example.org",
        "phone": "+33 6 12 34 56 78",
        "message": "I would like to take part.",
        "consent": True,
    } | fields
    request = ContactRequest.objects.create(
        trial=trial, site=site, site_name=str(site or ""), **values
    )
    created = timezone.now() - dt.timedelta(hours=hours_ago)
    ContactRequest.objects.filter(pk=request.pk).update(created_at=created)
    request.refresh_from_db()
    return request


@pytest.fixture
def w(client):
    """Alpha (two sites) is Alice's, Beta is Bob's; Carol has Alpha's Paris site only."""
    alpha = make_trial(
        title="Alpha kidney study",
        conditions=["Lupus Nephritis"],
        phases=["PHASE3"],
        locations=[
            place("Hôpital Edouard Herriot", "Lyon", "France"),
            place("Hôpital Necker", "Paris", "France"),
        ],
        central_contacts=[{"name": "Dr Alpha", "role": "CONTACT", "email": "alpha@example.org"}],
        interventions=[{"type": "DRUG", "name": "Voclosporin"}],
    )
    beta = make_trial(
        title="Beta lung study",
        conditions=["Severe Asthma"],
        phases=["PHASE1"],
        locations=[place("Charité", "Berlin", "Germany")],
    )
    lyon, paris = alpha.sites.order_by("position")
    berlin = beta.sites.get()
    ns = SimpleNamespace(
        alpha=alpha,
        beta=beta,
        lyon=lyon,
        paris=paris,
        berlin=berlin,
        alice=coordinator("alice", (alpha, None)),
        bob=coordinator("bob", (beta, None)),
        carol=coordinator("carol", (alpha, paris)),
        root=User.objects.create_superuser("root", "root@example.org", "a-long-password-1"),
    )
    ns.marie = make_request(
        alpha, lyon, first_name="Marie", last_name="Curie", email="marie@example.org", hours_ago=30
    )
    ns.ada = make_request(
        alpha, paris, first_name="Ada", last_name="Lovelace", email="ada@example.org", hours_ago=2
    )
    ns.bertha = make_request(
        beta,
        berlin,
        first_name="Bertha",
        last_name="Benz",
        email="bertha@example.org",
        phone="+49 30 1234",
        hours_ago=5,
    )
    ns.client = client
    return ns


def as_user(client, user):
    client.force_login(user)
    return client


def listed(response) -> list[int]:
    assert response.status_code == 200, response
    return [r.pk for r in response.context["cl"].result_list]


def change_url(request) -> str:
    return f"{LIST}{request.pk}/change/"


def form_data(response, **changes) -> dict:
    """What the browser would post back from a change page, with `changes` applied."""
    data = {}
    form = response.context["adminform"].form
    for field in form:
        value = field.value()
        data[field.html_name] = "" if value is None else value
    for inline in response.context["inline_admin_formsets"]:
        for field in inline.formset.management_form:
            data[field.html_name] = field.value()
    return data | changes


def post_change(client, request, **changes):
    page = client.get(change_url(request))
    return client.post(change_url(request), form_data(page, **changes))


def bulk(client, action: str, requests, **extra):
    data = {
        "action": action,
        "index": 0,
        "select_across": 0,
        "_selected_action": [r.pk for r in requests],
    } | extra
    return client.post(LIST, data)


def exported(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


# Access: the group


def test_the_coordinators_group_has_exactly_the_permissions_coordinators_need():
    group = Group.objects.get(name="Coordinators")
    assert set(group.permissions.values_list("content_type__app_label", "codename")) == {
        ("trials", "view_trial"),
        ("trials", "view_site"),
        ("trials", "view_contactrequest"),
        ("trials", "change_contactrequest"),
        ("trials", "view_contactrequestevent"),
        ("trials", "add_contactrequestevent"),
        # Their trials' plain-language summaries (which trials: workflow.summary_trials)
        ("trials", "view_teamsummary"),
        ("trials", "add_teamsummary"),
        ("trials", "change_teamsummary"),
        ("trials", "delete_teamsummary"),
        # And the languages their team speaks (the same trials)
        ("trials", "view_teamlanguages"),
        ("trials", "add_teamlanguages"),
        ("trials", "change_teamlanguages"),
        ("trials", "delete_teamlanguages"),
    }


# Access: two coordinators cannot reach each other's requests


def test_a_coordinator_lists_only_the_requests_of_their_trials(w):
    response = as_user(w.client, w.alice).get(LIST)
    assert sorted(listed(response)) == sorted([w.marie.pk, w.ada.pk])
    assert b"Bertha" not in response.content
    assert listed(as_user(w.client, w.bob).get(LIST)) == [w.bertha.pk]


def test_a_coordinator_cannot_open_another_coordinators_request_by_url(w):
    client = as_user(w.client, w.alice)
    response = client.get(change_url(w.bertha))
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert b"Bertha" not in client.get(response["Location"]).content
    posted = client.post(change_url(w.bertha), {"status": Status.NOT_ELIGIBLE, "note": "x"})
    assert posted.status_code == 302
    w.bertha.refresh_from_db()
    assert w.bertha.status == Status.NEW
    assert not w.bertha.events.exists()


def test_a_coordinator_cannot_read_the_history_of_another_coordinators_request(w):
    client = as_user(w.client, w.alice)
    assert client.get(f"{LIST}{w.marie.pk}/history/").status_code == 200
    response = client.get(f"{LIST}{w.bertha.pk}/history/")
    assert response.status_code == 302
    assert b"Bertha" not in response.content


@pytest.mark.parametrize("term", ["Bertha", "Benz", "bertha@example.org", "+49 30", "#{pk}"])
def test_a_coordinator_cannot_find_another_coordinators_requests_by_search(w, term):
    client = as_user(w.client, w.alice)
    term = term.format(pk=w.bertha.pk)
    assert listed(client.get(LIST, {"q": term})) == []
    assert listed(as_user(w.client, w.bob).get(LIST, {"q": term})) == [w.bertha.pk]


def test_a_coordinator_cannot_find_another_coordinators_requests_by_nct_id(w):
    client = as_user(w.client, w.alice)
    assert listed(client.get(LIST, {"q": w.beta.nct_id})) == []
    assert sorted(listed(client.get(LIST, {"q": w.alpha.nct_id}))) == sorted([w.marie.pk, w.ada.pk])


def test_autocomplete_offers_a_coordinator_only_their_own_requests(w):
    def offered(user, term=""):
        response = as_user(w.client, user).get(AUTOCOMPLETE, AUTOCOMPLETE_REQUESTS | {"term": term})
        assert response.status_code == 200
        return {int(r["id"]) for r in response.json()["results"]}

    assert offered(w.alice) == {w.marie.pk, w.ada.pk}
    assert offered(w.alice, "Bertha") == set()
    assert offered(w.alice, f"#{w.bertha.pk}") == set()
    assert offered(w.bob, f"#{w.bertha.pk}") == {w.bertha.pk}
    assert offered(w.bob) == {w.bertha.pk}
    assert offered(w.root) >= {w.marie.pk, w.ada.pk, w.bertha.pk}


def test_the_export_holds_only_the_coordinators_own_requests(w):
    rows = exported(as_user(w.client, w.alice).get(EXPORT))
    assert sorted(int(r["request"]) for r in rows) == sorted([w.marie.pk, w.ada.pk])
    assert "Bertha" not in str(rows)
    forced = exported(w.client.get(EXPORT, {"trial": w.beta.pk}))
    assert forced == []


def test_a_bulk_action_ignores_requests_the_coordinator_cannot_see(w):
    as_user(w.client, w.alice)
    bulk(w.client, "change_status", [w.marie, w.bertha], status=Status.CONTACTED)
    w.marie.refresh_from_db()
    w.bertha.refresh_from_db()
    assert w.marie.status == Status.CONTACTED
    assert w.bertha.status == Status.NEW
    bulk(w.client, "assign_to_me", [w.bertha])
    w.bertha.refresh_from_db()
    assert w.bertha.assignee is None


def test_a_site_assignment_shows_only_the_requests_of_that_site(w):
    client = as_user(w.client, w.carol)
    assert listed(client.get(LIST)) == [w.ada.pk]
    assert client.get(change_url(w.marie)).status_code == 302
    assert client.get(change_url(w.ada)).status_code == 200


def test_a_request_without_a_site_is_seen_by_whole_trial_coordinators_only(w):
    siteless = make_request(w.alpha, None, first_name="Nosite")
    assert siteless.pk in listed(as_user(w.client, w.alice).get(LIST))
    assert siteless.pk not in listed(as_user(w.client, w.carol).get(LIST))


def test_staff_without_assignments_see_no_requests(w):
    newcomer = coordinator("newcomer")
    client = as_user(w.client, newcomer)
    assert listed(client.get(LIST)) == []
    assert client.get(change_url(w.marie)).status_code == 302
    assert exported(client.get(EXPORT)) == []


def test_a_superuser_sees_every_request(w):
    response = as_user(w.client, w.root).get(LIST)
    assert set(listed(response)) >= {w.marie.pk, w.ada.pk, w.bertha.pk}
    assert w.client.get(change_url(w.bertha)).status_code == 200


def test_coordinators_cannot_add_or_delete_requests(w):
    client = as_user(w.client, w.alice)
    assert client.get(f"{LIST}add/").status_code == 403
    assert client.get(f"{LIST}{w.marie.pk}/delete/").status_code == 403
    assert client.post(f"{LIST}{w.marie.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ContactRequest.objects.filter(pk=w.marie.pk).exists()


def test_the_list_filters_name_only_the_coordinators_own_trials_and_sites(w):
    response = as_user(w.client, w.alice).get(LIST)
    sidebar = response.content.decode()
    assert w.alpha.nct_id in sidebar
    assert w.beta.nct_id not in sidebar
    assert "Charité" not in sidebar


def test_the_trial_list_counts_only_the_new_requests_a_coordinator_can_see(w):
    response = as_user(w.client, w.alice).get(TRIALS, {"new_requests": "yes"})
    counts = {t.nct_id: t.new_requests_count for t in response.context["cl"].result_list}
    assert counts == {w.alpha.nct_id: 2}
    response = as_user(w.client, w.carol).get(TRIALS, {"q": w.alpha.nct_id})
    assert [t.new_requests_count for t in response.context["cl"].result_list] == [1]


def test_coordinators_cannot_read_the_audit_log_assignments_or_users(w):
    client = as_user(w.client, w.alice)
    for url in [
        "/admin/trials/auditlogentry/",
        "/admin/trials/coordinatorassignment/",
        "/admin/auth/user/",
        "/admin/auth/group/",
        IMPORT,
    ]:
        assert client.get(url).status_code == 403, url
    assert b"Audit log" not in client.get("/admin/").content


# The workflow


def test_the_forward_path_sets_first_response_once_and_status_changed_every_time(w):
    client = as_user(w.client, w.alice)
    stamps = []
    for status in [Status.CONTACTED, Status.PRE_SCREENING, Status.SCHEDULED, Status.ENROLLED]:
        response = post_change(client, w.marie, status=status)
        assert response.status_code == 302, response.context["adminform"].form.errors
        w.marie.refresh_from_db()
        assert w.marie.status == status
        stamps.append((w.marie.first_response_at, w.marie.status_changed_at))
    assert len({first for first, _ in stamps}) == 1
    assert stamps[0][0] == stamps[0][1]
    assert len({changed for _, changed in stamps}) == 4
    events = list(w.marie.events.filter(kind=ContactRequestEvent.Kind.STATUS))
    assert [(e.from_status, e.to_status, e.actor) for e in events] == [
        ("NEW", "CONTACTED", w.alice),
        ("CONTACTED", "PRE_SCREENING", w.alice),
        ("PRE_SCREENING", "SCHEDULED", w.alice),
        ("SCHEDULED", "ENROLLED", w.alice),
    ]


def test_a_skipped_step_is_refused_with_a_clear_message(w):
    response = post_change(as_user(w.client, w.alice), w.marie, status=Status.SCHEDULED)
    assert response.status_code == 200
    assert "the next step is “Contacted”" in response.content.decode()
    w.marie.refresh_from_db()
    assert w.marie.status == Status.NEW
    assert w.marie.first_response_at is None


@pytest.mark.parametrize("final", [Status.ENROLLED, Status.NOT_ELIGIBLE, Status.WITHDREW])
def test_a_final_status_cannot_be_left_by_a_coordinator(w, final):
    ContactRequest.objects.filter(pk=w.marie.pk).update(status=final)
    response = post_change(as_user(w.client, w.alice), w.marie, status=Status.CONTACTED)
    assert response.status_code == 200
    assert "is a final status" in response.content.decode()
    w.marie.refresh_from_db()
    assert w.marie.status == final


def test_a_superuser_may_reopen_a_final_request(w):
    ContactRequest.objects.filter(pk=w.marie.pk).update(status=Status.WITHDREW)
    response = post_change(as_user(w.client, w.root), w.marie, status=Status.CONTACTED)
    assert response.status_code == 302
    w.marie.refresh_from_db()
    assert w.marie.status == Status.CONTACTED


@pytest.mark.parametrize(
    "start", [Status.NEW, Status.CONTACTED, Status.PRE_SCREENING, Status.SCHEDULED]
)
def test_not_eligible_and_withdrew_follow_any_open_status(start):
    following = workflow.next_statuses(start)
    assert Status.NOT_ELIGIBLE in following and Status.WITHDREW in following
    assert len(following) == 3


def test_the_change_form_offers_only_the_allowed_statuses(w):
    response = as_user(w.client, w.alice).get(change_url(w.marie))
    options = re.findall(r'<option value="([A-Z_]+)"', response.content.decode())
    assert options == ["NEW", "CONTACTED", "NOT_ELIGIBLE", "WITHDREW"]


def test_an_assignment_and_a_note_are_recorded_with_author_and_time(w):
    before = timezone.now()
    response = post_change(
        as_user(w.client, w.alice), w.marie, assignee=w.alice.pk, note="Called, no answer."
    )
    assert response.status_code == 302
    w.marie.refresh_from_db()
    assert w.marie.assignee == w.alice
    assigned, note = w.marie.events.order_by("at", "pk")
    assert (assigned.kind, assigned.actor, assigned.note) == (
        "ASSIGNED",
        w.alice,
        "Assigned to alice",
    )
    assert (note.kind, note.actor, note.note) == ("NOTE", w.alice, "Called, no answer.")
    assert note.at >= before
    page = w.client.get(change_url(w.marie)).content.decode()
    assert "Called, no answer." in page and "alice" in page


def test_the_assignee_must_be_someone_who_sees_the_request(w):
    response = post_change(as_user(w.client, w.alice), w.marie, assignee=w.bob.pk)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    w.marie.refresh_from_db()
    assert w.marie.assignee is None


def test_the_patients_own_words_cannot_be_changed_in_the_admin(w):
    post_change(
        as_user(w.client, w.root),
        w.marie,
        first_name="Forged",
        email="forged@example.org",
        phone="000",
        message="forged",
        status=Status.CONTACTED,
    )
    w.marie.refresh_from_db()
    assert (w.marie.first_name, w.marie.email, w.marie.phone, w.marie.message) == (
        "Marie",
        "marie@example.org",
        "+33 6 12 34 56 78",
        "I would like to take part.",
    )
    assert w.marie.status == Status.CONTACTED


def test_the_bulk_status_change_moves_the_allowed_requests_and_names_the_refused_ones(w):
    ContactRequest.objects.filter(pk=w.ada.pk).update(status=Status.ENROLLED)
    response = bulk(
        as_user(w.client, w.alice), "change_status", [w.marie, w.ada], status="CONTACTED"
    )
    page = w.client.get(response["Location"]).content.decode()
    assert "1 request(s) now “Contacted”" in page
    assert f"Not changed: #{w.ada.pk}." in page
    assert "is a final status" in page
    w.marie.refresh_from_db()
    w.ada.refresh_from_db()
    assert (w.marie.status, w.ada.status) == (Status.CONTACTED, Status.ENROLLED)
    assert w.marie.first_response_at is not None


def test_the_bulk_status_change_without_a_status_changes_nothing(w):
    response = bulk(as_user(w.client, w.alice), "change_status", [w.marie])
    assert "Choose the new status" in w.client.get(response["Location"]).content.decode()
    w.marie.refresh_from_db()
    assert w.marie.status == Status.NEW


def test_assign_to_me_assigns_the_selected_requests(w):
    bulk(as_user(w.client, w.alice), "assign_to_me", [w.marie, w.ada])
    assert set(ContactRequest.objects.filter(assignee=w.alice)) == {w.marie, w.ada}
    assert ContactRequestEvent.objects.filter(kind="ASSIGNED", actor=w.alice).count() == 2


# The list


def test_the_list_highlights_requests_waiting_more_than_24_hours(w):
    response = as_user(w.client, w.alice).get(LIST)
    rows = {
        int(pk): row
        for pk, row in re.findall(
            r'name="_selected_action" value="(\d+)"(.*?)</tr>', response.content.decode(), re.S
        )
    }
    assert "icon-alert.svg" in rows[w.marie.pk]  # 30 hours
    assert "icon-alert.svg" not in rows[w.ada.pk]  # 2 hours
    late = listed(w.client.get(LIST, {"waiting": "late"}))
    assert late == [w.marie.pk]


def test_the_list_shows_the_first_response_time(w):
    workflow.change_status(w.marie.pk, Status.CONTACTED, w.alice)
    page = as_user(w.client, w.alice).get(LIST).content.decode().replace("\xa0", " ")
    assert "after 1 day, 6 hours" in page
    assert "not yet" in page


def test_the_list_filters_by_trial_site_status_assignee_and_date(w):
    client = as_user(w.client, w.root)
    workflow.assign(w.ada.pk, w.alice, w.root)
    workflow.change_status(w.ada.pk, Status.CONTACTED, w.root)
    assert listed(client.get(LIST, {"trial": w.beta.pk})) == [w.bertha.pk]
    assert listed(client.get(LIST, {"site": w.lyon.pk})) == [w.marie.pk]
    assert listed(client.get(LIST, {"status__exact": "CONTACTED"})) == [w.ada.pk]
    assert listed(client.get(LIST, {"assignee": w.alice.pk})) == [w.ada.pk]
    assert w.ada.pk not in listed(client.get(LIST, {"assignee": "none"}))
    assert listed(as_user(w.client, w.alice).get(LIST, {"assignee": "me"})) == [w.ada.pk]
    since = {"created_at__gte": (timezone.now() - dt.timedelta(hours=24)).isoformat()}
    assert listed(w.client.get(LIST, since | {"trial": w.alpha.pk})) == [w.ada.pk]
    year = {"created_at__year": w.ada.created_at.year}
    assert w.ada.pk in listed(w.client.get(LIST, year))


def test_the_contact_request_list_runs_a_constant_number_of_queries(w):
    client = as_user(w.client, w.alice)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    few = count()
    for i in range(12):
        r = make_request(w.alpha, w.paris if i % 2 else w.lyon, hours_ago=i * 10)
        workflow.assign(r.pk, w.alice if i % 3 else w.carol, w.root)
        workflow.change_status(r.pk, Status.CONTACTED, w.root)
    assert count() == few


def test_the_trial_list_runs_a_constant_number_of_queries(w):
    client = as_user(w.client, w.root)

    def count(params):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(TRIALS, params)
        assert response.status_code == 200
        return len(queries), len(response.context["cl"].result_list)

    one = count({"q": w.alpha.nct_id})
    full = count({})
    assert one[1] == 1 and full[1] == 50
    assert one[0] == full[0]


ODD_LIST_QUERIES = [
    "trial=abc",
    "trial=99999999999999999999999",
    "site=-1",
    "assignee=%00",
    "assignee=me&assignee=none",
    "status__exact=BOGUS",
    "created_at__gte=not-a-date",
    "created_at__year=abc",
    "created_at__year=2026&created_at__month=13",
    "created_at__year=99999",
    "q=%00",
    "q=%23",
    "q=%2399999999999999999999",
    "q=" + "x" * 3000,
    "o=abc",
    "o=99",
    "o=-",
    "p=999",
    "p=-1",
    "waiting=forever",
    "_facets=1",
    "trial__raw__x=1",
    "_to_field=email",
    "e=1",
    "all=",
]


def test_odd_query_strings_on_the_request_list_and_export_never_fail(w):
    client = as_user(w.client, w.alice)
    for query in ODD_LIST_QUERIES:
        for url in (LIST, EXPORT):
            response = client.get(f"{url}?{query}")
            assert response.status_code in (200, 302, 400), (url, query, response.status_code)
            if response.status_code == 200 and url == EXPORT:
                assert "Bertha" not in response.content.decode("utf-8-sig"), query


ODD_URLS = [
    "/admin/trials/trial/?phase=PHASE9",
    "/admin/trials/trial/?phase=none",
    "/admin/trials/trial/?country=%00",
    "/admin/trials/trial/?new_requests=maybe",
    "/admin/trials/trial/?q=%00",
    "/admin/trials/trial/?overall_status__exact=X",
    "/admin/trials/trial/?p=abc",
    "/admin/trials/trial/abc/change/",
    "/admin/trials/trial/99999999999999999999/change/",
    "/admin/trials/contactrequest/abc/change/",
    "/admin/trials/contactrequest/99999999999999999999/change/",
    "/admin/trials/contactrequest/abc/history/",
    "/admin/trials/auditlogentry/?q=%2399999999999999999999",
    "/admin/trials/auditlogentry/?q=12",
    "/admin/trials/site/?q=%00",
    "/admin/autocomplete/?app_label=trials&model_name=contactrequestevent&field_name=request&term=%00",
    "/admin/autocomplete/?app_label=trials&model_name=nothing&field_name=request",
]


def test_odd_urls_in_the_admin_never_fail(w):
    client = as_user(w.client, w.root)
    for url in ODD_URLS:
        assert client.get(url).status_code in (200, 302, 400, 403, 404), url


@pytest.mark.parametrize(
    "url",
    [
        f"{LIST}?status__exact=%00",
        f"{LIST}?trial=%01",
        f"{TRIALS}?overall_status__exact=%00",
        f"{TRIALS}?%00=1",
    ],
)
def test_a_control_character_in_an_admin_query_string_is_a_bad_request(w, url):
    client = as_user(w.client, w.root)
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == 400
    assert "control characters" in response.content.decode()


# Export


def test_the_export_matches_the_filtered_and_searched_list_in_its_order(w):
    for i in range(4):
        make_request(w.alpha, w.lyon, first_name=f"Lyon{i}", last_name="Smith", hours_ago=i)
    make_request(w.alpha, w.paris, first_name="Paris", last_name="Smith")
    client = as_user(w.client, w.alice)
    params = {"site": w.lyon.pk, "q": "smith", "o": "-3"}
    shown = listed(client.get(LIST, params))
    rows = exported(client.get(EXPORT, params))
    assert [int(r["request"]) for r in rows] == shown
    assert len(shown) == 4
    first = ContactRequest.objects.get(pk=shown[0])
    assert rows[0] | {"received": ""} == {
        "request": str(first.pk),
        "received": "",
        "status": "New",
        "status changed": "",
        "first response": "",
        "assignee": "",
        "NCT ID": w.alpha.nct_id,
        "trial": "Alpha kidney study",
        "site": str(w.lyon),
        "first name": first.first_name,
        "last name": "Smith",
        "e-mail": "pat@example.org",
        "phone": "'+33 6 12 34 56 78",
        "language to speak": "",
        "message": "I would like to take part.",
        "consent": "yes",
        "pre-screening": "",
    }


def test_the_export_link_carries_the_lists_filters(w):
    page = as_user(w.client, w.alice).get(LIST, {"status__exact": "NEW", "q": "Curie"})
    assert f'href="{EXPORT}?q=Curie&amp;status__exact=NEW"' in page.content.decode()


def test_the_export_keeps_spreadsheets_from_running_patients_text_as_formulas(w):
    make_request(w.alpha, w.lyon, first_name='=HYPERLINK("http://x")', message="@SUM(A1)")
    rows = exported(as_user(w.client, w.alice).get(EXPORT, {"q": "HYPERLINK"}))
    assert rows[0]["first name"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["message"] == "'@SUM(A1)"


# Audit


def test_opening_a_request_is_audited_as_a_view(w):
    as_user(w.client, w.alice).get(change_url(w.marie))
    entry = AuditLogEntry.objects.get(action=Action.VIEW, contact_request_ids=[w.marie.pk])
    assert entry.user == w.alice


def test_a_change_that_fails_validation_still_shows_the_request_and_is_audited(w):
    client = as_user(w.client, w.alice)
    data = form_data(client.get(change_url(w.marie)), status="ENROLLED")
    AuditLogEntry.objects.all().delete()
    response = client.post(change_url(w.marie), data)
    assert response.status_code == 200 and "Marie" in response.content.decode()
    entry = AuditLogEntry.objects.get(action=Action.VIEW)
    assert (entry.user, entry.contact_request_ids) == (w.alice, [w.marie.pk])


def test_a_refused_lookup_is_not_audited_as_a_view(w):
    as_user(w.client, w.alice).get(change_url(w.bertha))
    assert not AuditLogEntry.objects.filter(contact_request_ids__contains=[w.bertha.pk]).exists()


def test_the_list_is_audited_as_a_view_of_the_requests_it_shows(w):
    as_user(w.client, w.alice).get(LIST, {"status__exact": "NEW"})
    entry = AuditLogEntry.objects.get(action=Action.VIEW, user=w.alice)
    assert sorted(entry.contact_request_ids) == sorted([w.marie.pk, w.ada.pk])
    assert "status__exact=NEW" in entry.detail


def test_a_change_is_audited_with_what_changed(w):
    post_change(as_user(w.client, w.alice), w.marie, status="CONTACTED", note="Left a message")
    entry = AuditLogEntry.objects.get(action=Action.CHANGE)
    assert (entry.user, entry.contact_request_ids) == (w.alice, [w.marie.pk])
    assert entry.detail == "status New → Contacted; note added"


def test_a_bulk_change_is_audited_once_with_every_request(w):
    bulk(as_user(w.client, w.alice), "change_status", [w.marie, w.ada], status="WITHDREW")
    entry = AuditLogEntry.objects.get(action=Action.CHANGE)
    assert sorted(entry.contact_request_ids) == sorted([w.marie.pk, w.ada.pk])


def test_an_export_is_audited_with_the_exported_requests_and_filters(w):
    as_user(w.client, w.alice).get(EXPORT, {"site": w.paris.pk})
    entry = AuditLogEntry.objects.get(action=Action.EXPORT)
    assert (entry.user, entry.contact_request_ids) == (w.alice, [w.ada.pk])
    assert f"site={w.paris.pk}" in entry.detail


def test_superusers_read_the_audit_log_and_nobody_edits_it(w):
    as_user(w.client, w.alice).get(change_url(w.marie))
    entry = AuditLogEntry.objects.get(action=Action.VIEW)
    client = as_user(w.client, w.root)
    response = client.get("/admin/trials/auditlogentry/", {"q": f"#{w.marie.pk}"})
    assert [e.pk for e in response.context["cl"].result_list] == [entry.pk]
    assert client.get(f"/admin/trials/auditlogentry/{entry.pk}/change/").status_code == 200
    assert (
        client.post(f"/admin/trials/auditlogentry/{entry.pk}/change/", {"detail": "x"}).status_code
        == 403
    )
    assert client.get("/admin/trials/auditlogentry/add/").status_code == 403
    assert (
        client.post(f"/admin/trials/auditlogentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AuditLogEntry.objects.filter(pk=entry.pk, detail="opened").exists()


# Trials


def test_the_trial_list_shows_status_phases_recruiting_sites_and_new_requests(w):
    response = as_user(w.client, w.alice).get(TRIALS, {"q": w.alpha.nct_id})
    page = response.content.decode()
    for text in [w.alpha.nct_id, "Alpha kidney study", "Recruiting", "Phase 3", "15 Jan 2026"]:
        assert text in page
    (trial,) = response.context["cl"].result_list
    assert (trial.recruiting_site_count, trial.new_requests_count) == (2, 2)
    assert f'?trial={w.alpha.pk}&amp;status__exact=NEW">2</a>' in page


def test_the_country_filter_offers_the_countries_of_the_trials(w):
    page = as_user(w.client, w.root).get(TRIALS).content.decode()
    links = re.findall(r'href="\?country=([^"&]+)"', page)
    countries = {unquote_plus(link) for link in links}
    expected = {c for t in Trial.objects.all() for c in t.countries}
    assert "Germany" in countries and countries == expected


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"phase": "PHASE3", "q": "kidney"}, {"alpha"}),
        ({"phase": "PHASE1", "q": "lung study"}, {"beta"}),
        ({"country": "Germany", "q": "lung study"}, {"beta"}),
        ({"country": "Germany", "q": "kidney study"}, set()),
        ({"overall_status__exact": "RECRUITING", "q": "lung"}, {"beta"}),
        ({"study_type__exact": "INTERVENTIONAL", "q": "kidney"}, {"alpha"}),
        ({"new_requests": "yes"}, {"alpha", "beta"}),
        ({"new_requests": "no", "q": "kidney"}, set()),
    ],
)
def test_the_trial_list_filters(w, params, expected):
    response = as_user(w.client, w.root).get(TRIALS, params)
    found = {t.nct_id for t in response.context["cl"].result_list}
    ours = {w.alpha.nct_id: "alpha", w.beta.nct_id: "beta"}
    assert {ours[n] for n in found if n in ours} == expected
    if params.get("new_requests") == "yes":
        assert found == set(ours)


@pytest.mark.parametrize(
    "term", ["{nct}", "{nct_lower}", "{nct_start}", "kidney study", "lupus nephritis", "nephr"]
)
def test_the_trial_list_searches_by_nct_id_title_and_condition(w, term):
    nct = w.alpha.nct_id
    term = term.format(nct=nct, nct_lower=nct.lower(), nct_start=nct[:-2])
    response = as_user(w.client, w.root).get(TRIALS, {"q": term})
    assert w.alpha.nct_id in {t.nct_id for t in response.context["cl"].result_list}


def test_the_start_of_an_nct_id_lists_exactly_the_trials_it_begins(w):
    for nct_id in ("NCT99000001", "NCT09999999", "NCT10000000"):  # where ranges carry
        make_trial(nct_id=nct_id)
    everyone = sorted(Trial.objects.values_list("nct_id", flat=True))
    starts = {"NCT", "nct0", "NCT9", "NCT99", "NCT0999", "NCT09999999"[:9]} | {
        nct[:cut] for nct in everyone[::150] for cut in (5, 6, 7, 9, 10)
    }
    assert any(s.endswith("9") for s in starts) and any(s.endswith("0") for s in starts)
    client = as_user(w.client, w.root)
    for start in sorted(starts):
        expected = [n for n in everyone if n.startswith(start.upper())]
        cl = client.get(TRIALS, {"q": start, "o": "1"}).context["cl"]  # by NCT ID
        assert cl.result_count == len(expected), start
        assert [t.nct_id for t in cl.result_list] == expected[:50], start


@pytest.mark.parametrize("term", ["zzyzx", "NCT99999999", "the", "_", "ü&|!:*"])
def test_a_trial_search_with_no_match_lists_nothing(w, term):
    response = as_user(w.client, w.root).get(TRIALS, {"q": term})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_the_trial_page_is_read_only_and_shows_the_original_json_escaped(w):
    trial = make_trial(title="<script>alert(1)</script> study")
    client = as_user(w.client, w.root)
    page = client.get(f"{TRIALS}{trial.pk}/change/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&quot;briefTitle&quot;: &quot;&lt;script&gt;alert(1)&lt;/script&gt; study&quot;" in page
    assert 'name="brief_title"' not in page and "_save" not in page
    response = client.post(f"{TRIALS}{trial.pk}/change/", {"brief_title": "Edited"})
    assert response.status_code == 403
    trial.refresh_from_db()
    assert trial.brief_title.startswith("<script>")
    assert client.get(f"{TRIALS}add/").status_code == 403


def test_a_coordinator_reads_a_trial_with_its_sites_contacts_and_interventions(w):
    page = as_user(w.client, w.alice).get(f"{TRIALS}{w.alpha.pk}/change/").content.decode()
    for text in [
        "Hôpital Necker",
        "Dr Alpha",
        "alpha@example.org",
        "Voclosporin",
        "Lupus Nephritis",
    ]:
        assert text in page


# Import


def upload(client, name: str, content: bytes, **extra):
    """Upload a file, let the worker import it, and open the page that shows how it went."""
    from .factories import run_queue

    queued = client.post(IMPORT, {"file": SimpleUploadedFile(name, content), **extra})
    assert queued.status_code == 302, queued
    run_queue()
    return client.get(queued["Location"])


def test_an_upload_is_imported_by_the_worker_not_in_the_request(w, settings, tmp_path):
    from .factories import run_queue

    settings.IMPORT_UPLOAD_DIR = tmp_path
    client = as_user(w.client, w.root)
    content = json.dumps(study("NCT95000001")).encode()
    queued = client.post(IMPORT, {"file": SimpleUploadedFile("one.json", content)})
    assert not Trial.objects.filter(nct_id="NCT95000001").exists()
    waiting = client.get(queued["Location"]).content.decode()
    assert "Waiting for the worker" in waiting and "Reload this page" in waiting
    assert len(list(tmp_path.iterdir())) == 1
    assert run_queue() == 1
    done = client.get(queued["Location"]).content.decode()
    assert "Imported" in done and "Reload this page" not in done
    assert Trial.objects.filter(nct_id="NCT95000001").exists()
    assert list(tmp_path.iterdir()) == []  # the stored copy is gone
    assert "one.json" in client.get(IMPORT).content.decode()  # listed under recent uploads


def test_an_upload_that_swells_past_its_allowance_is_stopped(w, settings):
    settings.IMPORT_UPLOAD_MAX_MB = 1
    lines = "\n".join(json.dumps(study(f"NCT96{i:06d}", summary="x" * 2000)) for i in range(800))
    response = upload(as_user(w.client, w.root), "big.jsonl.gz", gzip.compress(lines.encode()))
    page = response.content.decode()
    assert "more than 1 MB once uncompressed" in page
    assert response.context["summary"].created < 800


def test_an_upload_nested_too_deeply_is_reported(w):
    response = upload(as_user(w.client, w.root), "deep.json", b"[" * 100_000 + b"]" * 100_000)
    assert response.status_code == 200
    assert "nested too deeply" in response.content.decode()


def test_uploading_a_file_imports_it_and_shows_the_summary(w):
    records = [
        study("NCT90000001", title="Uploaded one"),
        study("NCT90000002", title="Uploaded two"),
    ]
    content = json.dumps({"studies": records}).encode()
    response = upload(as_user(w.client, w.root), "page.json", content)
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.created, summary.updated, summary.unchanged, summary.skipped) == (2, 0, 0, 0)
    assert "Created" in response.content.decode()
    assert Trial.objects.get(nct_id="NCT90000002").brief_title == "Uploaded two"
    again = upload(w.client, "page.json", content).context["summary"]
    assert (again.created, again.unchanged) == (0, 2)


def test_a_gzipped_json_lines_upload_is_imported(w):
    lines = "\n".join(json.dumps(study(f"NCT9100000{i}")) for i in range(3))
    response = upload(as_user(w.client, w.root), "studies.jsonl.gz", gzip.compress(lines.encode()))
    assert response.context["summary"].created == 3


def test_a_large_upload_is_streamed_from_disk(w, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100  # larger files go to a temporary file
    lines = "\n".join(json.dumps(study(f"NCT9200000{i}")) for i in range(5))
    response = upload(as_user(w.client, w.root), "big.jsonl", lines.encode())
    assert response.context["summary"].created == 5


def test_skipped_records_are_listed_under_the_uploaded_files_name(w):
    bad = study("NCT93000001")
    del bad["protocolSection"]["statusModule"]
    lines = "\n".join([json.dumps(study("NCT93000002")), json.dumps(bad), "{not json"])
    response = upload(as_user(w.client, w.root), "mixed.jsonl", lines.encode())
    summary = response.context["summary"]
    assert (summary.created, summary.skipped) == (1, 2)
    page = response.content.decode()
    assert "mixed.jsonl, line 2 [NCT93000001]" in page
    assert "/tmp" not in page


def test_an_all_or_nothing_upload_with_a_bad_record_imports_nothing(w):
    lines = "\n".join([json.dumps(study("NCT94000001")), "{not json"])
    response = upload(as_user(w.client, w.root), "strict.jsonl", lines.encode(), strict="on")
    assert "nothing was imported" in response.content.decode()
    assert not Trial.objects.filter(nct_id="NCT94000001").exists()


def test_an_upload_that_is_not_json_is_reported_not_fatal(w):
    response = upload(as_user(w.client, w.root), "photo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert response.status_code == 200
    assert response.context["summary"].skipped == 1


def test_the_import_page_is_for_those_allowed_to_import(w):
    assert as_user(w.client, w.alice).get(IMPORT).status_code == 403
    assert "Import from ClinicalTrials.gov" not in w.client.get(TRIALS).content.decode()
    assert as_user(w.client, w.root).get(IMPORT).status_code == 200
    assert "Import from ClinicalTrials.gov" in w.client.get(TRIALS).content.decode()


# Accounts


def test_the_admin_locks_out_a_user_after_five_failed_logins(w, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    login = "/admin/login/?next=/admin/"
    for _ in range(5):
        w.client.post(login, {"username": "alice", "password": "wrong"})
    response = w.client.post(login, {"username": "alice", "password": "a-long-password-1"})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in w.client.session
    assert w.client.get("/admin/").status_code == 302


def test_a_correct_password_before_the_limit_still_logs_in(w):
    login = "/admin/login/?next=/admin/"
    for _ in range(4):
        w.client.post(login, {"username": "alice", "password": "wrong"})
    response = w.client.post(login, {"username": "alice", "password": "a-long-password-1"})
    assert response.status_code == 302
    assert w.client.get("/admin/").status_code == 200


def test_create_coordinator_makes_an_assigned_staff_user_and_is_safe_to_run_twice(w):
    args = ["create_coordinator", "dana", "--email", "dana@example.org", "--trial", w.beta.nct_id]
    args += ["--site", str(w.paris.pk), "--no-input"]
    out = io.StringIO()
    call_command(*args, stdout=out)
    call_command(*args, stdout=out)
    dana = User.objects.get(username="dana")
    assert dana.is_staff and not dana.is_superuser and not dana.has_usable_password()
    assert dana.groups.filter(name="Coordinators").exists()
    assert set(dana.trial_assignments.values_list("trial__nct_id", "site")) == {
        (w.beta.nct_id, None),
        (w.alpha.nct_id, w.paris.pk),
    }
    assert "Updated coordinator dana: 0 new assignment(s), 2 in all." in out.getvalue()
    assert sorted(listed(as_user(w.client, dana).get(LIST))) == sorted([w.ada.pk, w.bertha.pk])


def test_a_site_of_another_trial_is_refused_in_an_assignment(w):
    client = as_user(w.client, w.root)
    response = client.post(
        "/admin/trials/coordinatorassignment/add/",
        {"user": w.alice.pk, "trial": w.beta.pk, "site": w.paris.pk},
    )
    assert response.status_code == 200
    assert (
        f"This site belongs to {w.alpha.nct_id}, not {w.beta.nct_id}." in response.content.decode()
    )


@pytest.mark.parametrize(
    "url", [LIST, "{change}", TRIALS, "{trial}", IMPORT, "/admin/trials/auditlogentry/"]
)
def test_admin_pages_send_no_inline_script_or_style(w, url):
    url = url.format(change=change_url(w.marie), trial=f"{TRIALS}{w.alpha.pk}/change/")
    response = as_user(w.client, w.root).get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*[^<\s]", html)
    assert "script-src 'self'" in response["Content-Security-Policy"]


# Whether the e-mails went


def test_a_request_page_says_whether_and_when_the_team_and_the_patient_were_e_mailed(w):
    sent = timezone.now() - dt.timedelta(hours=1)
    ContactRequest.objects.filter(pk=w.marie.pk).update(team_notified_at=sent)
    page = as_user(w.client, w.alice).get(change_url(w.marie)).content.decode()
    assert (
        "Study team notified" in page
        and f"sent {timezone.localtime(sent):%-d %b %Y, %H:%M}" in page
    )
    assert "Patient&#x27;s copy" in page or "Patient's copy" in page
    assert "not sent yet" in page


def test_superusers_see_that_the_worker_gave_up_and_can_send_again(w, settings):
    from django.core import mail

    from .factories import run_queue

    gave_up = timezone.now()
    ContactRequest.objects.filter(pk=w.marie.pk).update(
        team_email_attempts=15, team_email_gave_up_at=gave_up, patient_notified_at=gave_up
    )
    coordinator_page = as_user(w.client, w.alice).get(change_url(w.marie)).content.decode()
    assert "gave up" not in coordinator_page and "not sent yet" in coordinator_page
    assert "send_emails_again" not in as_user(w.client, w.alice).get(LIST).content.decode()
    page = as_user(w.client, w.root).get(change_url(w.marie)).content.decode()
    assert "not sent: gave up after 15 tries" in page
    assert listed(w.client.get(LIST, {"emails": "gave_up"})) == [w.marie.pk]
    response = w.client.post(
        LIST, {"action": "send_emails_again", "_selected_action": [w.marie.pk, w.ada.pk]}
    )
    assert response.status_code == 302
    assert run_queue() == 3  # Marie's team e-mail; both of Ada's, never sent
    marie = ContactRequest.objects.get(pk=w.marie.pk)
    assert marie.team_notified_at and marie.team_email_gave_up_at is None
    recipients = [m.to[0] for m in mail.outbox]
    assert "marie@example.org" not in recipients  # her copy had gone: not sent twice
    assert recipients.count("ada@example.org") == 1

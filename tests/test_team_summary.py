"""The study team's own plain-language summary: written in the admin by the trial's
coordinators, shown first on the trial page, never touched by an import, audited."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib.auth.models import Group, User

from trials.importer import import_items
from trials.models import AuditLogEntry, CoordinatorAssignment, TeamSummary
from trials.sources import Item

from .factories import make_trial, study

pytestmark = pytest.mark.django_db

ADD = "/admin/trials/teamsummary/add/"
LIST = "/admin/trials/teamsummary/"
TEXT = "We are testing whether **zylofenac** eases knee pain.\n\n- Two visits a month\n- One year"


def coordinator(username: str, trial=None, site=None) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", "a-long-password-1")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="Coordinators"))
    if trial:
        CoordinatorAssignment.objects.create(user=user, trial=trial, site=site)
    return user


@pytest.fixture
def ours():
    return make_trial(title="Zylofenac for knee pain")


@pytest.fixture
def theirs():
    return make_trial(title="Another team's trial")


def write(client, user, trial, text=TEXT):
    client.force_login(user)
    return client.post(ADD, {"trial": trial.pk, "text": text})


def test_a_coordinator_writes_the_summary_of_their_trial_and_the_page_shows_it_first(client, ours):
    alice = coordinator("alice", ours)
    response = write(client, alice, ours)
    assert response.status_code == 302, response.content.decode()[:2000]
    summary = TeamSummary.objects.get(trial=ours)
    assert summary.updated_by == alice
    client.logout()
    html = client.get(f"/trials/{ours.nct_id}/").content.decode()
    block = re.search(r'<section class="team-summary".*?</section>', html, re.S).group(0)
    assert "Written by the study team" in block
    assert f"Last changed on {summary.updated_at:%-d %B %Y}." in unescape(block)
    assert "<strong>zylofenac</strong>" in block and "<li>Two visits a month</li>" in block
    # First on the page: before the summary made from the record and everything else.
    assert (
        html.index('class="team-summary"') < html.index('class="glance"') < html.index('id="who"')
    )
    data = client.get(f"/api/trials/{ours.nct_id}/").json()
    assert data["team_summary"]["text"] == TEXT


def test_a_coordinator_cannot_write_for_a_trial_they_are_not_assigned(client, ours, theirs):
    alice = coordinator("alice", ours)
    response = write(client, alice, theirs)
    assert response.status_code == 200
    assert not TeamSummary.objects.filter(trial=theirs).exists()
    choices = response.context["adminform"].form.fields["trial"].queryset
    assert list(choices) == [ours]  # the form only offers their own trials


def test_a_coordinator_of_one_site_only_cannot_write_for_the_whole_trial(client, ours):
    carol = coordinator("carol", ours, site=ours.sites.get())
    client.force_login(carol)
    assert client.get(ADD).status_code == 403
    response = client.post(ADD, {"trial": ours.pk, "text": TEXT})
    assert response.status_code == 403
    assert not TeamSummary.objects.exists()


def test_a_coordinator_cannot_see_or_change_another_trials_summary(client, ours, theirs):
    bob = coordinator("bob", theirs)
    TeamSummary.objects.create(trial=ours, text="Ours.")
    alice = coordinator("alice", ours)
    client.force_login(bob)
    response = client.get(LIST)
    assert response.status_code == 200 and list(response.context["cl"].result_list) == []
    summary = TeamSummary.objects.get(trial=ours)
    assert client.get(f"{LIST}{summary.pk}/change/").status_code == 302  # not found for Bob
    client.force_login(alice)
    assert client.get(f"{LIST}{summary.pk}/change/").status_code == 200


def test_an_empty_or_script_only_summary_is_refused_and_html_is_sanitised(client, ours):
    alice = coordinator("alice", ours)
    response = write(client, alice, ours, text="   ")
    assert response.status_code == 200 and not TeamSummary.objects.exists()
    write(client, alice, ours, text="Hello <script>alert(1)</script> [x](javascript:alert(1))")
    html = client.get(f"/trials/{ours.nct_id}/").content.decode()
    block = re.search(r'<section class="team-summary".*?</section>', html, re.S).group(0)
    assert "<script" not in block and 'href="javascript' not in block
    assert "Hello &lt;script&gt;" in block  # shown as the text it is, never run


def test_every_change_is_in_the_audit_log(client, ours):
    alice = coordinator("alice", ours)
    write(client, alice, ours)
    summary = TeamSummary.objects.get(trial=ours)
    client.post(f"{LIST}{summary.pk}/change/", {"text": "Shorter now."})
    client.post(f"{LIST}{summary.pk}/delete/", {"post": "yes"})
    entries = list(AuditLogEntry.objects.filter(nct_id=ours.nct_id).order_by("at", "pk"))
    assert [e.action for e in entries] == ["CREATE", "CHANGE", "DELETE"]
    assert all(e.user == alice for e in entries)
    assert "Shorter now." in entries[1].detail and "Shorter now." in entries[2].detail
    assert not TeamSummary.objects.exists()


def test_an_import_never_overwrites_the_study_teams_summary(client, ours):
    TeamSummary.objects.create(trial=ours, text=TEXT)
    record = study(
        ours.nct_id, title="Zylofenac for knee pain, new title", last_update="2026-05-01"
    )
    summary = import_items([Item("update", "1", record)])
    assert not summary.problems
    ours.refresh_from_db()
    assert ours.brief_title == "Zylofenac for knee pain, new title"
    assert TeamSummary.objects.get(trial=ours).text == TEXT
    assert "Written by the study team" in client.get(f"/trials/{ours.nct_id}/").content.decode()


def test_a_trial_without_a_summary_shows_none(client, ours):
    html = client.get(f"/trials/{ours.nct_id}/").content.decode()
    assert "Written by the study team" not in html
    assert client.get(f"/api/trials/{ours.nct_id}/").json()["team_summary"] is None

"""The site in Spanish, French and Chinese: addresses, the first visit, the language
switcher, the catalogues, translated pages, and the language a patient asks the study
team to speak."""

from __future__ import annotations

import csv
import inspect
import io
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django import forms
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils.functional import Promise

import finder.forms
import finder.my_trials_forms
from finder.catalogues import catalogues
from trials.models import ContactRequest, TeamLanguages

from .factories import make_trial, run_queue
from .test_contact import PATIENT

pytestmark = pytest.mark.django_db

LANGUAGES = ["es", "fr", "zh-hans"]
TEMPLATES = Path(settings.BASE_DIR) / "templates"
# English a page in another language must not show: headings, labels, buttons, notices.
ENGLISH = [
    "Find a clinical trial",
    "About clinical trials",
    "Skip to main content",
    "Who can join",
    "What happens in the study",
    "Key dates",
    "Where the study takes place",
    "Contact the study team",
    "Send my details to the study team",
    "Every field is needed",
    "Which language would you like",
    "Healthy volunteers",
    "Recruiting",
    "Study start",
    "Filters",
    "Update results",
    "No trials match",
    "What is a clinical trial?",
    "Can I change my mind?",
    "Trial information comes from",
    "Your searches are not shared",
]


@pytest.fixture
def trial():
    return make_trial(
        title="Mending kidneys in lupus",
        phases=["PHASE2"],
        locations=[
            {
                "facility": "Hôpital Nord",
                "city": "Paris",
                "country": "France",
                "status": "RECRUITING",
                "contacts": [{"name": "Dr Nord", "role": "CONTACT", "email": "nord@example.fr"}],
            },
            {"facility": "Peking Union", "city": "Beijing", "country": "China"},
        ],
    )


def html(client, url: str, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def visible_text(page: str) -> str:
    """The page's text without its tags, scripts and attribute values."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", page))


# Addresses and the first visit


def test_english_pages_keep_their_addresses_and_other_languages_have_a_prefix(client, trial):
    assert 'lang="en"' in html(client, "/")
    assert "Find a clinical trial" in html(client, "/")
    assert 'lang="es"' in html(client, "/es/") and "Buscar un ensayo clínico" in html(
        client, "/es/"
    )
    assert 'lang="fr"' in html(client, "/fr/about-clinical-trials/")
    page = html(client, f"/zh-hans/trials/{trial.nct_id}/")
    assert '<html lang="zh-Hans">' in page and "谁可以参加" in page


def test_a_first_visit_follows_the_browsers_language_and_keeps_the_search(client):
    response = client.get(
        "/?condition=lupus&phase=PHASE2", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/fr/?condition=lupus&phase=PHASE2"
    assert "Accept-Language" in response["Vary"]


def test_a_browser_asking_for_english_or_an_unknown_language_stays_on_the_english_page(client):
    for accept in ["en-GB,en;q=0.9", "de-DE,de;q=0.9", ""]:
        assert client.get("/", headers={"Accept-Language": accept}).status_code == 200


def test_a_chosen_language_wins_over_the_browsers(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get("/", headers={"Accept-Language": "es"}).status_code == 200
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get("/about-clinical-trials/", headers={"Accept-Language": "es"})
    assert response["Location"] == "/zh-hans/about-clinical-trials/"


def test_a_prefixed_link_opens_in_its_language_whatever_the_browser_asks(client):
    page = html(client, "/fr/", **{"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "Trouver un essai clinique" in page


def test_htmx_requests_and_the_apis_are_never_redirected(client):
    spanish = {"Accept-Language": "es"}
    assert (
        client.get("/?condition=lupus", headers={**spanish, "HX-Request": "true"}).status_code
        == 200
    )
    assert client.get("/api/trials/", headers=spanish).status_code == 200
    assert client.get("/api/v2/version", headers=spanish).status_code == 200


# The switcher and the alternates


def test_every_page_offers_each_language_named_in_itself_with_hreflang_alternates(client, trial):
    for url in ["/?condition=lupus&age=40", f"/es/trials/{trial.nct_id}/", "/fr/glossary/"]:
        page = html(client, url)
        switcher = page[
            page.index('class="language-switcher"') : page.index(
                "</form>", page.index('class="language-switcher"')
            )
        ]
        for code, tag, name in [
            ("en", "en", "English"),
            ("es", "es", "Español"),
            ("fr", "fr", "Français"),
            ("zh-hans", "zh-Hans", "中文"),
        ]:
            assert f'value="{code}" lang="{tag}"' in switcher and f">{name}</option>" in switcher
            assert f'hreflang="{tag}"' in page
    page = html(client, "/?condition=lupus&age=40")
    assert '<link rel="alternate" hreflang="fr" href="/fr/?condition=lupus&amp;age=40">' in page
    assert '<link rel="alternate" hreflang="x-default" href="/?condition=lupus&amp;age=40">' in page
    assert 'name="next" value="/?condition=lupus&amp;age=40"' in page


def test_switching_language_keeps_the_page_and_its_search_and_is_remembered(client):
    response = client.post(
        "/i18n/setlang/", {"language": "es", "next": "/fr/?condition=lupus&phase=PHASE2"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/es/?condition=lupus&phase=PHASE2"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    back = client.post("/i18n/setlang/", {"language": "en", "next": "/es/?condition=lupus"})
    assert back["Location"] == "/?condition=lupus"
    assert client.get("/", headers={"Accept-Language": "es"}).status_code == 200


# What the pages say


@pytest.mark.parametrize("language", LANGUAGES)
def test_main_pages_in_each_language_show_none_of_the_english_interface(client, trial, language):
    pages = [
        f"/{language}/?status=ALL",
        f"/{language}/?condition=nothingmatcheszzz",
        f"/{language}/trials/{trial.nct_id}/",
        f"/{language}/about-clinical-trials/",
        f"/{language}/trials/NCT09999999/",
    ]
    for url in pages:
        response = client.get(url)
        text = visible_text(response.content.decode())
        left = [phrase for phrase in ENGLISH if phrase in text]
        assert not left, (url, left)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_contact_forms_errors_are_in_the_pages_language(client, trial, language):
    response = client.post(
        f"/{language}/trials/{trial.nct_id}/contact/", {**PATIENT, "email": "zoe@", "phone": ""}
    )
    text = visible_text(response.content.decode())
    assert "Enter your e-mail address" not in text and "Enter a phone number" not in text
    assert {"es": "Revise el formulario", "fr": "Vérifiez le formulaire", "zh-hans": "请检查表格"}[
        language
    ] in text


def test_a_trial_page_in_another_language_says_once_that_the_study_details_are_in_english(
    client, trial
):
    spanish = html(client, f"/es/trials/{trial.nct_id}/")
    assert spanish.count("Los detalles del estudio que siguen están en inglés") == 1
    assert '<h1 class="page-title" id="trial-title" lang="en">Mending kidneys in lupus' in spanish
    assert "The study details below are in English" not in html(client, f"/trials/{trial.nct_id}/")


def test_countries_and_dates_read_in_the_pages_language(client, trial):
    chinese = visible_text(html(client, f"/zh-hans/trials/{trial.nct_id}/"))
    assert "法国" in chinese and "中国" in chinese
    assert "2025年3月" in chinese  # the study's start, a month
    spanish = visible_text(html(client, f"/es/trials/{trial.nct_id}/"))
    assert "marzo de 2025" in spanish and "Francia" in spanish
    assert "March 2025" in visible_text(html(client, f"/trials/{trial.nct_id}/"))


def test_the_search_forms_labels_and_messages_follow_each_requests_language(client):
    # One form class serves every search: its labels are looked up at each page.
    assert '<label for="id_q">Search words</label>' in html(client, "/")
    assert '<label for="id_q">Palabras de búsqueda</label>' in html(client, "/es/")
    assert '<label for="id_q">Mots de recherche</label>' in html(client, "/fr/?age=abc")
    assert '<label for="id_q">Search words</label>' in html(client, "/")
    assert "Valor «abc» ignorado (edad)" in html(client, "/es/?age=abc")


def test_the_country_filter_names_countries_in_the_pages_language_and_filters_by_the_records(
    client, trial
):
    spanish = html(client, "/es/?status=ALL")
    france = re.search(
        r'<input type="checkbox" name="country" value="France" id="([^"]+)">', spanish
    )
    assert france, "the country's option keeps the record's English name as its value"
    label = re.search(rf'<label for="{france[1]}">([^<]*)<', spanish)
    assert label and label[1].strip() == "Francia"
    assert f'<label for="{france[1]}">France' in html(client, "/?status=ALL")
    chosen = html(client, "/es/?status=ALL&country=France")
    assert re.search(r'value="France" id="[^"]+" checked>', chosen)
    assert "Mending kidneys in lupus" in chosen


# The language a patient asks the team to speak


def test_the_language_question_lists_languages_named_in_themselves_defaulting_to_the_pages(
    client, trial
):
    page = html(client, f"/zh-hans/trials/{trial.nct_id}/")
    select = page[page.index('id="id_language"') :]
    select = select[: select.index("</select>")]
    assert '<option value="zh" selected lang="zh">中文</option>' in select
    assert '<option value="es" lang="es">Español</option>' in select
    assert '<option value="ar" lang="ar">العربية</option>' in select
    english = html(client, f"/trials/{trial.nct_id}/")
    assert '<option value="en" selected lang="en">English</option>' in english
    assert "Which language would you like the team to speak?" in english


def test_a_request_from_the_spanish_page_stores_the_codes_and_each_email_has_its_language(
    client, trial
):
    nord = str(trial.sites.get(facility="Hôpital Nord").pk)
    response = client.post(
        f"/es/trials/{trial.nct_id}/contact/", {**PATIENT, "language": "es", "site": nord}
    )
    assert response.status_code == 302 and response["Location"].startswith("/es/")
    request = ContactRequest.objects.get(trial=trial)
    assert (request.language, request.page_language) == ("es", "es")
    done = visible_text(html(client, response["Location"]))
    assert "Su solicitud está en camino" in done and "prefiere hablar en español" in done
    run_queue()
    patient = next(m for m in mail.outbox if m.to == [PATIENT["email"]])
    team = next(m for m in mail.outbox if m.to != [PATIENT["email"]])
    assert patient.subject == f"Su solicitud al equipo del estudio {trial.nct_id}"
    assert "Hola, Zoë:" in patient.body and "Qué pasa ahora" in patient.body
    assert f"/es/trials/{trial.nct_id}/" in patient.body
    assert team.body.startswith("Language: the patient would like to speak Spanish (es).")
    assert "A patient found your study" in team.body
    assert "/es/" not in team.body


def test_a_request_with_an_unknown_language_code_is_refused_with_a_message(client, trial):
    response = client.post(f"/fr/trials/{trial.nct_id}/contact/", {**PATIENT, "language": "xx"})
    assert "Choisissez une langue dans la liste." in response.content.decode()
    assert not ContactRequest.objects.exists()


# The catalogues and the templates


def _catalogue(path: Path):
    with path.open("rb") as fp:
        return read_po(fp)


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: p.parts[-3])
def test_each_catalogue_translates_every_string_without_fuzzy_entries(path):
    catalogue = _catalogue(path)
    assert catalogue.num_plurals >= 1
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert not message.fuzzy, message.id
        assert all(strings), f"not translated: {ids[0]!r}"
        expected = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) <= expected, (ids[0], string)


def test_the_catalogues_cover_the_sites_languages():
    assert sorted(p.parts[-3] for p in catalogues()) == ["es", "fr", "zh_Hans"]


BLOCKS = re.compile(
    r"{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}"
    r"|{#.*?#}|<script\b.*?</script>|<style\b.*?</style>",
    re.S,
)
TAGS = re.compile(r"<[^>]*>|{%.*?%}|{{.*?}}", re.S)
ATTRIBUTE = re.compile(
    r'\b(?:aria-label|placeholder|title|alt|aria-description)="((?:{%.*?%}|{{.*?}}|[^"])*)"'
)
# Names and marks that read the same in every language.
UNTRANSLATED = {
    "TrialFinder",
    "· TrialFinder",
    "ClinicalTrials.gov",
    "(ClinicalTrials.gov)",
    "(PDF",
}


def test_patient_templates_have_no_text_left_unmarked_for_translation():
    unmarked = []
    for path in sorted(TEMPLATES.rglob("*.*")):
        # The admin follows Django's own translations; study teams read English.
        if "admin" in path.parts or path.name.startswith("team_request"):
            continue
        text = path.read_text(encoding="utf-8")
        pieces = [TAGS.sub("", m.group(1)) for m in ATTRIBUTE.finditer(text)]
        pieces += TAGS.sub("\n", BLOCKS.sub("\n", text)).split("\n")
        unmarked += [
            f"{path.relative_to(TEMPLATES)}: {piece.strip()}"
            for piece in pieces
            if re.search(r"[A-Za-z]{2,}", piece) and piece.strip() not in UNTRANSLATED
        ]
    assert unmarked == []


def test_the_languages_the_team_speaks_show_on_the_form_with_a_note_for_another(client, trial):
    TeamLanguages.objects.create(trial=trial, languages=["fr", "zh"])
    french = html(client, f"/fr/trials/{trial.nct_id}/")
    assert (
        "L'équipe de l'étude parle\u00a0: "
        '<span lang="fr">Français</span>, <span lang="zh">中文</span>.'
    ) in french
    assert "n'a pas indiqué parler" not in french
    spanish = visible_text(html(client, f"/es/trials/{trial.nct_id}/"))
    assert "El equipo del estudio no ha indicado que hable español" in spanish
    check = client.post(
        f"/trials/{trial.nct_id}/contact/check/",
        {**PATIENT, "language": "ar"},
        headers={"HX-Request": "true", "HX-Trigger-Name": "language"},
    )
    assert "The study team has not said that they speak Arabic" in check.content.decode()


def test_a_trial_without_recorded_languages_says_nothing_about_them(client, trial):
    page = visible_text(html(client, f"/trials/{trial.nct_id}/"))
    assert "The study team speaks" not in page and "has not said that they speak" not in page


def test_alert_emails_are_written_in_the_language_of_the_sign_up(client):
    from trials.alerts import emails
    from trials.models import Subscription

    response = client.post(
        "/fr/alerts/new/?condition=lupus", {"email": "zoe@example.net", "frequency": "weekly"}
    )
    assert response.status_code in (200, 302)
    subscription = Subscription.objects.get(email="zoe@example.net")
    assert subscription.language == "fr"
    message = emails.confirmation_message(subscription)
    assert message.subject == "Confirmez vos alertes par e-mail TrialFinder"
    assert "/fr/alerts/confirm/" in message.body


# The coordinators' side


def _request_in(client, trial, language: str) -> ContactRequest:
    nord = str(trial.sites.get(facility="Hôpital Nord").pk)
    email = f"{language}@example.net"
    client.post(
        f"/trials/{trial.nct_id}/contact/",
        {**PATIENT, "email": email, "language": language, "site": nord},
    )
    return ContactRequest.objects.get(email=email)


def test_coordinators_see_filter_and_export_the_language_to_speak(admin_client, trial):
    spanish = _request_in(Client(), trial, "es")
    chinese = _request_in(Client(), trial, "zh")
    listing = admin_client.get("/admin/trials/contactrequest/", {"language": "es"}).content.decode()
    assert "Spanish (es)" in listing and "?language=zh" in listing
    assert f"/admin/trials/contactrequest/{spanish.pk}/change/" in listing
    assert f"/admin/trials/contactrequest/{chinese.pk}/change/" not in listing
    export = admin_client.get("/admin/trials/contactrequest/export/").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(export)))
    assert {row["language to speak"] for row in rows} == {"Spanish (es)", "Chinese (zh)"}


def test_coordinators_record_the_languages_their_team_speaks(admin_client, trial):
    response = admin_client.post(
        "/admin/trials/teamlanguages/add/", {"trial": trial.pk, "languages": ["en", "fr"]}
    )
    assert response.status_code == 302
    assert TeamLanguages.objects.get(trial=trial).languages == ["en", "fr"]
    page = html(Client(), f"/trials/{trial.nct_id}/")
    assert (
        'The study team speaks: <span lang="en">English</span>, <span lang="fr">Français</span>.'
        in page
    )


def test_the_admin_follows_the_browsers_language_with_djangos_translations(client):
    page = client.get("/admin/login/", headers={"Accept-Language": "es"}).content.decode()
    assert '<html lang="es"' in page and "Nombre de usuario" in page


def test_only_coordinators_of_the_whole_trial_record_its_teams_languages(client, trial):
    from django.contrib.auth.models import Group, User

    from trials.models import CoordinatorAssignment

    other = make_trial(title="Another study")
    coordinator = User.objects.create_user("alice", password="x", is_staff=True)
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    client.force_login(coordinator)
    assert client.get("/admin/trials/teamlanguages/add/").status_code == 403
    CoordinatorAssignment.objects.create(user=coordinator, trial=trial)
    refused = client.post(
        "/admin/trials/teamlanguages/add/", {"trial": other.pk, "languages": ["es"]}
    )
    assert refused.status_code == 200 and not TeamLanguages.objects.exists()
    accepted = client.post(
        "/admin/trials/teamlanguages/add/", {"trial": trial.pk, "languages": ["es"]}
    )
    assert accepted.status_code == 302
    assert TeamLanguages.objects.get(trial=trial).updated_by == coordinator


# Condition names in the patient's language


def test_condition_names_in_other_languages_find_the_trials_of_their_mesh_terms(client):
    for url, notice in [
        ("/es/?condition=Cáncer de mama&status=ALL", "«Cáncer de mama» incluye los ensayos"),
        (
            "/fr/?condition=cancer du sein&status=ALL",
            "«\u00a0cancer du sein\u00a0» inclut les essais",
        ),
        ("/zh-hans/?condition=乳腺癌&status=ALL", "“乳腺癌”包括以其医学名称登记的试验"),
    ]:
        page = html(client, url)
        assert notice in page and "<strong>Breast Neoplasms</strong>" in page
        assert page.count('class="card"') > 0, url


def test_every_translated_condition_name_leads_to_terms_the_records_use(real_studies):
    from trials.ctgov import normalize_term
    from trials.search.condition_names import IN_OTHER_LANGUAGES

    terms, english = set(), set()
    for record in real_studies:
        browse = record.get("derivedSection", {}).get("conditionBrowseModule", {})
        for mesh in (browse.get("meshes") or []) + (browse.get("ancestors") or []):
            terms.add(mesh["term"])
        conditions = record["protocolSection"].get("conditionsModule", {}).get("conditions", [])
        english.update(normalize_term(c) for c in conditions)
    assert {t for mapped in IN_OTHER_LANGUAGES.values() for t in mapped} <= terms
    # A name spelt like an English condition would change what English searches find.
    assert not set(IN_OTHER_LANGUAGES) & english


def _patient_forms():
    for module in (finder.forms, finder.my_trials_forms):
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, forms.Form)
                and value.__module__ == module.__name__
            ):
                yield value


@pytest.mark.parametrize("form", list(_patient_forms()), ids=lambda f: f.__name__)
def test_the_patient_forms_labels_help_and_messages_are_marked_for_translation(form):
    unmarked = []
    for name, field in form.base_fields.items():
        texts = {"label": field.label, "help_text": field.help_text}
        texts.update({f"error {key}": text for key, text in field.error_messages.items()})
        for what, text in texts.items():
            if isinstance(text, str) and text and not isinstance(text, Promise):
                unmarked.append(f"{name} {what}: {text!r}")
    assert not unmarked, unmarked

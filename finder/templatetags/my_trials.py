"""`{% my_trials_strings %}`: the sentences the My trials scripts show, translated here
and handed to static/js/mytrials/strings.js as JSON (a data block, not a script).

"%(name)s" is filled in by the script. A sentence with a count has two keys, "<key>_one"
and "<key>_other", the script choosing by the count.
"""

from __future__ import annotations

import json
from functools import cache

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

register = template.Library()

STRINGS = {
    # Saving
    "save": _("Save"),
    "saved": _("Saved to My trials."),
    "unsaved": _("Removed from My trials."),
    # My trials
    "checking_status": _("Checking the trials' current status…"),
    "status_unavailable": _(
        "We could not check the trials' current status (are you offline?): this is what you saved."
    ),
    "status_when_saved": _("Status when you saved it: %(status)s."),
    "now_recruiting": _("Now recruiting."),
    "now_open": _("Now open: %(status)s."),
    "closed_since_saved": _("Closed since you saved it."),
    "status_changed": _("The status has changed since you saved it."),
    "status_was": _("When you saved it: %(status)s."),
    "acknowledge": _("OK, noted"),
    "trial_gone": _(
        "This trial is no longer on TrialFinder: its record was withdrawn from "
        "ClinicalTrials.gov or removed from our copy."
    ),
    "forget_trial": _("Remove it and its notes from My trials"),
    "forgotten": _("Removed from My trials, with its notes."),
    "where": _("Where"),
    "nearest_site": _("Nearest site"),
    "no_site_position": _("No site with a known position"),
    "study_site": _("Study site"),
    "no_sites": _("No sites listed yet"),
    "and_others": _("and others"),
    "sites_recruiting": _("Sites recruiting"),
    "sites_recruiting_of": _("%(open)s of %(all)s"),
    "study_number": _("Study number"),
    "saved_on": _("Saved"),
    "your_notes": _("Your notes"),
    "see_on_trial_page": _("See it on the trial page"),
    # Notes
    "add_note": _("Add a note"),
    "add_note_section": _("Add a note to this section"),
    "which_passage": _("Which part is your note about?"),
    "whole_section": _("The whole section: %(section)s"),
    "note_on": _("Your note on:"),
    "your_note": _("Your note"),
    "note_private": _("Only you can see it: it stays in this browser, on this device."),
    "note_empty": _("Write your note first."),
    "save_note": _("Save the note"),
    "cancel": _("Cancel"),
    "note_saved": _("Note saved."),
    "note_updated": _("Note changed."),
    "note_deleted": _("Note deleted."),
    "note_number": _("note %(number)s"),
    "your_note_number": _("Your note %(number)s"),
    "back_to_passage": _("Back to the passage"),
    "show_beside_passage": _("Show note %(number)s beside its passage"),
    "passage_gone": _(
        "This passage is no longer in the record: the study's record changed since you "
        "wrote the note."
    ),
    "note_written": _("Written on %(date)s"),
    "note_edited": _("Changed on %(date)s"),
    "edit": _("Edit"),
    "delete": _("Delete"),
    "delete_question": _("Delete this note?"),
    "delete_yes": _("Delete it"),
    "delete_no": _("Keep it"),
    # Sharing
    "share_none_ticked": _("Tick at least one trial to share."),
    "share_locking": _("Locking your list with the passcode…"),
    "share_failed": _("The link could not be made. Please try again in a moment."),
    "share_too_many": _("You have shared many lists today. Please try again tomorrow."),
    "copied": _("Copied."),
    "copy_failed": _("Could not copy: select the text and copy it yourself."),
    "shared_on": _("Shared on %(date)s:"),
    "link_until": _("Works until %(date)s."),
    "link_expired": _("This link has expired"),
    "revoke": _("Stop this link now"),
    "revoked": _("The link no longer works, and its content is deleted."),
    "revoke_failed": _("The link could not be stopped. Please try again in a moment."),
    "remove_from_list": _("Remove from this list"),
    # A shared list
    "passcode_format": _(
        "A passcode has 12 letters and digits, like 7KQ2-MX9P-4T3W. Check what you typed."
    ),
    "checking_passcode": _("Checking the passcode…"),
    "wrong_passcode": _("That passcode is not right."),
    "locked_until": _(
        "Too many wrong passcodes: this link is locked until %(time)s on %(date)s. Check the "
        "passcode with the person who sent it."
    ),
    "too_many_from_here": _(
        "Too many wrong passcodes from your connection. Please try again in an hour."
    ),
    "open_failed": _("The list could not be opened. Please try again in a moment."),
    "link_expired_why": _(
        "A shared link stops working on the date chosen by the person who shared it, when "
        "they stop it, or after too many wrong passcodes. What it held has been deleted."
    ),
    "link_destroyed": _(
        "That was the last try: this link no longer works, and what it held is deleted."
    ),
    "ask_for_new_link": _("Ask the person who sent it for a new link."),
    "shared_intro": _(
        "Shared on %(date)s. The trials are shown as they are today, with their current status."
    ),
    "shared_intro_undated": _("The trials are shown as they are today, with their current status."),
    "their_notes": _("Notes from the person who shared this list"),
    "open_my_trials": _("Open My trials"),
}


# Sentences with a count, each for the count it is given.
COUNTED = {
    "notes_count": lambda n: ngettext("(%(count)s note)", "(%(count)s notes)", n),
    "trials_listed": lambda n: ngettext("%(count)s trial", "%(count)s trials", n),
    "shared_trials": lambda n: ngettext("%(count)s trial.", "%(count)s trials.", n),
    "shared_trials_with_notes": lambda n: ngettext(
        "%(count)s trial, with notes.", "%(count)s trials, with notes.", n
    ),
    "wrong_passcode_tries": lambda n: ngettext(
        "That passcode is not right. %(count)s more try before the link locks for a while.",
        "That passcode is not right. %(count)s more tries before the link locks for a while.",
        n,
    ),
    "tries_before_destroyed": lambda n: ngettext(
        "After %(count)s more wrong passcode the link stops working for good.",
        "After %(count)s more wrong passcodes the link stops working for good.",
        n,
    ),
    "saved_these": lambda n: ngettext(
        "%(count)s trial saved to My trials.", "%(count)s trials saved to My trials.", n
    ),
}


@register.simple_tag
def my_trials_strings() -> SafeString:
    return _strings_meta(get_language())


@cache
def _strings_meta(language: str) -> SafeString:
    """The page's strings for site.js in `language` (the catalogues never change while
    the site runs)."""
    strings = {key: str(value) for key, value in STRINGS.items()}
    for key, sentence in COUNTED.items():
        strings[f"{key}_one"] = sentence(1)
        strings[f"{key}_other"] = sentence(2)
    # In an attribute, not a <script> element: the pages carry no inline script at all.
    return format_html('<meta name="my-trials-strings" content="{}">', json.dumps(strings))

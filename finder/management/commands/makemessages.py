"""Django's makemessages, also reading `_g(...)` (modules that already use `_` for the
lazy gettext call the immediate one `_g`), and without gettext's guesses: a new string
stays untranslated until someone translates it, rather than borrowing a neighbour's
translation marked fuzzy."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_g"]
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

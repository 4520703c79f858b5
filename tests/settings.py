"""The test suite runs under the development settings: DEBUG on unless the environment
says otherwise (finder.settings defaults it to off). Processes the tests start inherit it."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from finder.settings import *  # noqa: E402, F403

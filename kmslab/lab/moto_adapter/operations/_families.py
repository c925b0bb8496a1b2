"""Imports every family module of `operations`, so that their `@operation` registrations run."""

# One import line per family module, e.g. `from . import import_family` with a noqa F401 comment.
from . import import_material  # noqa: F401

"""Imports every family module of `operations`, so that their `@operation` registrations run."""

# One import line per family module, e.g. `from . import import_family` with a noqa F401 comment.
# ruff: noqa: I001 - one line per family (several helpers add theirs), in the order they were added
from . import import_material  # noqa: F401
from . import custom_key_stores  # noqa: F401
from . import regions  # noqa: F401
from . import data_key_pairs  # noqa: F401
from . import key_deletion  # noqa: F401
from . import key_specs  # noqa: F401
from . import key_agreement  # noqa: F401
from . import grants  # noqa: F401
from . import rsa_encryption  # noqa: F401
from . import key_checks  # noqa: F401
# DryRun wraps the operations above: keep its line the last one.
from . import dry_run  # noqa: F401

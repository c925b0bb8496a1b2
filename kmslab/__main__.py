"""`python -m kmslab`: see kmslab.cli."""

import sys

from .cli import main

sys.exit(main())

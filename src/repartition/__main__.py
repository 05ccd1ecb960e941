"""`python -m repartition`."""

import sys

from .cli import main

sys.exit(main())

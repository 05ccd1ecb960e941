"""`python -m repartition.cli`."""

import sys

from . import main

sys.exit(main())

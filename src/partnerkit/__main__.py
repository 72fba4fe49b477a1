"""Allow ``python -m partnerkit``."""

import sys

from partnerkit._cli import main

sys.exit(main())

"""``python -m ideogram_widgets.check``: see :mod:`ideogram_widgets.check.cli`."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())

"""``python -m ideogram_widgets.check``: see :mod:`ideogram_widgets.check._cli`."""

from __future__ import annotations

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())

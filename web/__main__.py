"""``python -m web``: the ``chungtay`` command line (used to start supervised helpers)."""

from web.cli import main

main()

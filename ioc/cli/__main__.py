"""``python -m ioc.cli``: the same as the ``ioc`` command."""

from ioc.cli import main

main()

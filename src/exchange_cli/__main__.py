"""Allow `python -m exchange_cli`."""

from exchange_cli.cli import main

raise SystemExit(main())

"""Allow `python -m exchange_cli`."""

from exchange_cli.cli.main import main

raise SystemExit(main())

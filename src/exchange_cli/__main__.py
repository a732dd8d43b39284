"""Allow `python -m exchange_cli`."""

from exchange_cli.main import main

raise SystemExit(main())

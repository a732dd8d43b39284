"""Validated catalogues compiled into SQLite, and the `StoreRecords` that answers queries
from one.

A catalogue is parsed and checked once, then compiled into a database: programs with
indexed sectors, countries, parties and party keys, and a full-text index of their
words. A later run of the same file opens the database instead of parsing YAML. When no
trusted cache directory is at hand (or `--no-cache`), the database is built in memory
for the run, so every query takes the same path.

Trust model (each point tested in tests/test_store.py; the README's "The cache"):

- The directory is `$XDG_CACHE_HOME/exchange` (an absolute XDG_CACHE_HOME only), else
  `~/.cache/exchange`; a missing home directory is never created. It is used only when
  it is a real directory (not a symlink), owned by the user, and not writable by group
  or others, as ssh treats `~/.ssh`; otherwise the command answers from the file alone.
- Only files named like ours are written or deleted: `<16 hex>.sqlite3`, and
  `<16 hex>.sqlite3.<pid>-<8 hex>.tmp` while one is built. A database is opened only
  when it is a regular file owned by the user.
- A database is used only when it records this exact file: its real path, device,
  inode, size, modification and change times, and a CRC-32 of its bytes, read (never
  mapped: a file truncated while it is read ends in exit 3, not a signal). The checksum
  catches a changed file; what keeps out a forged database is the directory's owner.
- A database is built in a temporary file (created exclusively, mode 0600) and renamed
  into place; an interrupted build (Ctrl-C, SIGTERM, SIGHUP) removes it. A first load
  fills it as the catalogue file is read and checked (`build.Sink`, in batches), and it
  is renamed into place only once the whole file was read, found valid and unchanged;
  a file with any problem leaves no database, only its problems.
- Reading runs no code: no extension is loaded, triggers and views are never consulted
  (a database holding one is not used; `trusted_schema` off, read-only), and records are
  JSON, type-checked when rebuilt. A database that fails as it is read is one line (exit
  3) and is removed, so the next run builds it again.

Modules: `files` (where databases live and when to trust one: lookup, building,
pruning), `build` (the tables and how a catalogue fills them), `records`
(`StoreRecords`, the queries).

May import: `exchange_cli.query`, `exchange_cli.model`, `exchange_cli.errors`. It reads
no catalogue file (the load layer hands it validated catalogues) and prints nothing.
"""

"""The declaration of a record and its vocabularies: `records` (Program, Party, Flow,
Source and the catalogue, declared once as a table of fields), `fields` (the field
specs that loading, validation, JSON, the schema and the docs derive from), `vocab`
and `countries` (values, aliases, matching, "did you mean"), `identity` (when two
names are one actor), `schema` (the JSON Schema and the skeleton, derived).

May import: `exchange_cli.errors` only. It knows no file, terminal, store or query.
"""

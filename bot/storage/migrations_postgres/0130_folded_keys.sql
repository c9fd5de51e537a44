-- PostgreSQL twin of migrations/0130_folded_keys.sql: the folded keys and their indexes.
-- PostgreSQL support began after this migration, so there are no earlier rows whose keys need filling in
-- (the SQLite twin computes them with the application's own functions; `db copy` brings them across).
-- The SQLite twin's FTS5 trigram table has no counterpart: on PostgreSQL a unit search filters the keys
-- with instr (bot/storage/units.py) and reads the current units, a few thousand rows at most.

ALTER TABLE nominations ADD COLUMN nominee_key TEXT;
CREATE INDEX nominations_by_unit_and_nominee ON nominations (unit_code, nominee_key, id);

ALTER TABLE unit_versions ADD COLUMN name_key TEXT;
ALTER TABLE unit_versions ADD COLUMN code_key TEXT;
CREATE INDEX unit_versions_by_name_key ON unit_versions (name_key);
CREATE INDEX unit_versions_by_code_key ON unit_versions (code_key);

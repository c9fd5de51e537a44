-- PostgreSQL twin of migrations/0191_unit_search_trigrams.sql. A unit search (bot/storage/units.py) asks
-- for the versions whose folded name and code hold each word; a trigram index of those keys answers
-- LIKE '%word%' for words of three letters or more without reading every unit, as SQLite's FTS5 trigram
-- table does. pg_trgm ships with PostgreSQL (Debian's postgresql package included) and, since PostgreSQL 13,
-- is a trusted extension: the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX unit_versions_keys_trigram ON unit_versions USING gin ((name_key || ' ' || code_key) gin_trgm_ops);

-- Names are searched folded (no diacritics, case or spacing). The folded keys are computed once, when a
-- row is written, and indexed, so a search asks the index instead of reading and folding every row.
-- `fold` and `nominee_key` are the application's own functions, registered on its connection.

ALTER TABLE nominations ADD COLUMN nominee_key TEXT;
UPDATE nominations SET nominee_key = nominee_key(nominee_name);
-- The duplicate check: the same folded name in the same unit, earliest first.
CREATE INDEX nominations_by_unit_and_nominee ON nominations (unit_code, nominee_key, id);

ALTER TABLE unit_versions ADD COLUMN name_key TEXT;
ALTER TABLE unit_versions ADD COLUMN code_key TEXT;
-- Versions stay immutable; the trigger steps aside only while the keys of existing rows are filled in.
DROP TRIGGER unit_versions_are_immutable;
UPDATE unit_versions SET name_key = fold(name), code_key = fold(code);
CREATE TRIGGER unit_versions_are_immutable
BEFORE UPDATE ON unit_versions
BEGIN
    SELECT RAISE(ABORT, 'unit versions are immutable; record a new version instead');
END;
CREATE INDEX unit_versions_by_name_key ON unit_versions (name_key);
CREATE INDEX unit_versions_by_code_key ON unit_versions (code_key);

-- Any words of a unit's name or code, as substrings: a trigram index of the folded keys finds the versions
-- holding each word of three letters or more without reading every unit. Versions are never updated nor
-- deleted, so each is indexed once, as it is written.
CREATE VIRTUAL TABLE unit_search USING fts5 (keys, content = '', tokenize = 'trigram');
INSERT INTO unit_search (rowid, keys) SELECT id, name_key || ' ' || code_key FROM unit_versions;
CREATE TRIGGER unit_versions_are_searchable
AFTER INSERT ON unit_versions
BEGIN
    INSERT INTO unit_search (rowid, keys) VALUES (NEW.id, NEW.name_key || ' ' || NEW.code_key);
END;

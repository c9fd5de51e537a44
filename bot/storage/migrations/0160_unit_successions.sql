-- Where a unit went when administrative units were merged or split (e.g. the communes of 1 July 2025):
-- the former unit's code and name, its successor, whether all of it or a part went there, from when and
-- by which legal text. A former unit with several "part" rows was split; the secretariat says where its
-- open items go (split_assignments). Rows are facts of law: imported again, a row is kept, never rewritten.
CREATE TABLE unit_successions (
    id INTEGER PRIMARY KEY,
    old_code TEXT NOT NULL,
    old_name TEXT NOT NULL,
    -- The former unit's name folded (no diacritics, lower case), for finding it by what people type.
    old_name_folded TEXT NOT NULL,
    old_district TEXT,
    new_code TEXT NOT NULL,
    share TEXT NOT NULL CHECK (share IN ('whole', 'part')),
    effective TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    source TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (old_code, new_code)
);

CREATE INDEX unit_successions_by_old_name ON unit_successions (old_name_folded);

CREATE TABLE split_assignments (
    old_code TEXT PRIMARY KEY,
    new_code TEXT NOT NULL,
    decided_by INTEGER,
    decided_at TEXT NOT NULL
);

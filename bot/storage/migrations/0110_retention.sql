-- How far each retention sweep has gone, so that a sweep reads only what became old since the last one.

CREATE TABLE retention_sweeps (
    name TEXT PRIMARY KEY,
    swept_until TEXT NOT NULL
);

-- PostgreSQL twin of migrations/0110_retention.sql.
CREATE TABLE retention_sweeps (
    name TEXT PRIMARY KEY,
    swept_until TEXT NOT NULL
);

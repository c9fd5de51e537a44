-- PostgreSQL twin of migrations/0102_outbox_claimed_by.sql.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;

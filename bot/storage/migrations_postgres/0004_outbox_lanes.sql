-- PostgreSQL twin of migrations/0004_outbox_lanes.sql.
CREATE INDEX outbox_due_by_channel ON outbox (channel, status, not_before);

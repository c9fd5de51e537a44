-- PostgreSQL twin of migrations/0190_outbox_budget.sql.
CREATE TABLE outbox_budget (
    channel TEXT PRIMARY KEY,
    next_slot DOUBLE PRECISION NOT NULL,
    paused_until DOUBLE PRECISION NOT NULL DEFAULT 0
);

CREATE INDEX outbox_by_chat ON outbox (channel, chat_id, status, sent_at);
CREATE INDEX outbox_due_in_order ON outbox (channel, status, not_before, id);

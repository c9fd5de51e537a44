-- Every message the bot sends on its own initiative goes through here, written in the same transaction
-- as the fact that causes it, then sent by the worker. Keys make planning twice enqueue once.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    dedup_key TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'uncertain')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before TEXT NOT NULL,
    claimed_at TEXT,
    sent_at TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL
);

CREATE INDEX outbox_due ON outbox (status, not_before);

CREATE TABLE outbox_attempts (
    id INTEGER PRIMARY KEY,
    outbox_id INTEGER NOT NULL REFERENCES outbox (id),
    at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed', 'uncertain')),
    detail TEXT
);

CREATE INDEX outbox_attempts_by_message ON outbox_attempts (outbox_id);

-- Each reminder step (period, unit, step) and escalation is decided once: sent, or skipped in a catch-up.
CREATE TABLE reminder_log (
    key TEXT PRIMARY KEY,
    decision TEXT NOT NULL CHECK (decision IN ('sent', 'skipped')),
    decided_at TEXT NOT NULL
) WITHOUT ROWID;

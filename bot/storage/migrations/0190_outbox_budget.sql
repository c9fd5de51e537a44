-- A messenger's rate limit is one budget for every worker that sends for it: the next free sending slot, and
-- the end of a pause the messenger asked for (429), both in seconds since the epoch. A worker reserves the
-- slots of a whole batch in one statement, in the transaction that claims the batch.
CREATE TABLE outbox_budget (
    channel TEXT PRIMARY KEY,
    next_slot REAL NOT NULL,
    paused_until REAL NOT NULL DEFAULT 0
);

-- A claim passes over a chat whose earlier message is still queued or being sent, and reads when the chat was
-- last sent to, so that one chat's messages go in order and apart even when several workers claim side by
-- side; it reads the due messages in the order they go, and stops at the batch's size.
CREATE INDEX outbox_by_chat ON outbox (channel, chat_id, status, sent_at);
CREATE INDEX outbox_due_in_order ON outbox (channel, status, not_before, id);

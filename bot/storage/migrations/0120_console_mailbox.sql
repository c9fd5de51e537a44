-- What the bot sends on its own to a person in the terminal chat: kept until their chat shows it, since a
-- terminal user's chat may not be open when the outbox delivers (a card, a reminder, an answer).
CREATE TABLE console_mailbox (
    id INTEGER PRIMARY KEY,
    chat_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    delivered_at TEXT NOT NULL,
    shown_at TEXT
);

CREATE INDEX console_mailbox_waiting ON console_mailbox (chat_id, id) WHERE shown_at IS NULL;

-- Every update from every messenger, kept (committed) before the messenger is told it arrived.
-- A worker handles a person's rows in the order they came, each in the transaction that sets handled_at.

CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    -- The messenger's own id of the update (Telegram's update_id; Zalo's event and message id):
    -- the same update delivered twice is kept once.
    update_key TEXT NOT NULL,
    -- Whose update it is, in the messenger's terms: one person's rows are handled one after another.
    person TEXT NOT NULL,
    -- The update as the messenger sent it; only its channel reads it.
    payload TEXT NOT NULL,
    received_at TEXT NOT NULL,
    handled_at TEXT,
    UNIQUE (channel, update_key)
);

CREATE INDEX inbox_unhandled ON inbox (channel, id) WHERE handled_at IS NULL;
CREATE INDEX inbox_received ON inbox (received_at);

-- The replies an update produced, written in the transaction that handled it and marked sent once the
-- messenger has them: a process killed between the commit and the send still gets them out (once more at
-- most), and an update delivered again re-sends what was never confirmed instead of staying silent.

CREATE TABLE replies (
    id INTEGER PRIMARY KEY,
    inbox_id INTEGER NOT NULL REFERENCES inbox (id) ON DELETE CASCADE,
    chat_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    -- Set (committed) before a second try: a reply is sent again once at most.
    resent_at TEXT,
    -- Too old to be worth sending when it was found unsent.
    dropped_at TEXT
);

CREATE INDEX replies_unsent ON replies (id) WHERE sent_at IS NULL AND dropped_at IS NULL;
CREATE INDEX replies_of_update ON replies (inbox_id);

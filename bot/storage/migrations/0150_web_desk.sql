-- The secretariat's desk in a browser: one-time sign-in links sent in the chat, and the sessions they open.
-- Only a hash of each link's token and of each session's cookie is kept: a copy of the database opens nothing.

CREATE TABLE web_links (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

-- Links asked for lately, counted per person for the rate limit.
CREATE INDEX web_links_by_user ON web_links (user_id, created_at);

CREATE TABLE web_sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    -- Sent back with every form and htmx request; a page of another site cannot read it.
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    ended_at TEXT
);

-- A nomination's history on the desk is its audit lines.
CREATE INDEX audit_log_by_subject ON audit_log (subject, id);

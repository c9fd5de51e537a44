-- People as each messenger knows them, their conversations, and the nominations they submit.
-- Times are UTC, ISO 8601 text.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    display_name TEXT,
    lang TEXT NOT NULL DEFAULT 'vi',
    created_at TEXT NOT NULL,
    UNIQUE (channel, external_id)
);

CREATE TABLE sessions (
    user_id INTEGER PRIMARY KEY REFERENCES users (id),
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE processed_updates (
    channel TEXT NOT NULL,
    update_key TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    PRIMARY KEY (channel, update_key)
) WITHOUT ROWID;

CREATE TABLE sequences (
    name TEXT NOT NULL,
    year INTEGER NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (name, year)
) WITHOUT ROWID;

CREATE TABLE files (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    path TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE nominations (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    campaign_code TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'submitted',
    submitted_by INTEGER NOT NULL REFERENCES users (id),
    channel TEXT NOT NULL,
    nominee_kind TEXT NOT NULL CHECK (nominee_kind IN ('individual', 'collective')),
    nominee_name TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    category_code TEXT NOT NULL,
    deed TEXT NOT NULL,
    anonymous INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    nominator_name TEXT,
    nominator_phone TEXT,
    consent_at TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE INDEX nominations_by_submitter ON nominations (submitted_by, created_at);

CREATE TABLE nomination_files (
    nomination_id INTEGER NOT NULL REFERENCES nominations (id),
    position INTEGER NOT NULL,
    sha256 TEXT NOT NULL REFERENCES files (sha256),
    original_name TEXT,
    PRIMARY KEY (nomination_id, position)
);

-- What a user submitted is never overwritten nor deleted: amendments are new rows, withdrawal a status.
CREATE TRIGGER nominations_content_is_immutable
BEFORE UPDATE OF reference, submitted_by, nominee_kind, nominee_name, unit_code, category_code, deed,
    anonymous, nominator_name, nominator_phone, consent_at, created_at ON nominations
BEGIN
    SELECT RAISE(ABORT, 'nominations are immutable; record a new version instead');
END;

CREATE TRIGGER nominations_are_never_deleted
BEFORE DELETE ON nominations
BEGIN
    SELECT RAISE(ABORT, 'nominations are never deleted; change their status instead');
END;

CREATE TRIGGER nomination_files_are_never_deleted
BEFORE DELETE ON nomination_files
BEGIN
    SELECT RAISE(ABORT, 'nomination files are never deleted');
END;

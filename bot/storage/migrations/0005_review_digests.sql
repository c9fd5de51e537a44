-- Review of nominations, the secretariat's digests and announcements.

-- What review adds to a nomination. The nomination stays as it was submitted; only its status moves, and
-- every move is in the audit log with who, when and why.
CREATE TABLE nomination_reviews (
    nomination_id INTEGER PRIMARY KEY REFERENCES nominations (id),
    -- When the nomination was put before the secretariat, so it is put there once.
    posted_at TEXT,
    -- An earlier nomination of the same nominee in the same unit, flagged when it was posted.
    duplicate_of INTEGER REFERENCES nominations (id),
    -- Merged: this one points to the earlier one and follows its outcome; nothing is deleted.
    merged_into INTEGER REFERENCES nominations (id),
    for_publication INTEGER NOT NULL DEFAULT 0 CHECK (for_publication IN (0, 1)),
    consent_recorded_at TEXT,
    consent_recorded_by INTEGER REFERENCES users (id),
    last_actor INTEGER REFERENCES users (id),
    last_reason TEXT,
    status_since TEXT NOT NULL,
    -- When it was approved or rejected: a bulletin covers the nominations approved in its dates.
    decided_at TEXT
);

CREATE INDEX nomination_reviews_by_merge ON nomination_reviews (merged_into) WHERE merged_into IS NOT NULL;

-- A reviewer's question to the nominator, and the answer (text and files), each written once.
CREATE TABLE nomination_questions (
    id INTEGER PRIMARY KEY,
    nomination_id INTEGER NOT NULL REFERENCES nominations (id),
    asked_by INTEGER NOT NULL REFERENCES users (id),
    asked_at TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT,
    answered_at TEXT
);

CREATE INDEX nomination_questions_by_nomination ON nomination_questions (nomination_id, id);

CREATE TABLE nomination_answer_files (
    question_id INTEGER NOT NULL REFERENCES nomination_questions (id),
    position INTEGER NOT NULL,
    sha256 TEXT NOT NULL REFERENCES files (sha256),
    original_name TEXT,
    PRIMARY KEY (question_id, position)
) WITHOUT ROWID;

CREATE TRIGGER nomination_questions_keep_the_question BEFORE UPDATE OF nomination_id, asked_by, asked_at, question
ON nomination_questions
BEGIN SELECT RAISE(ABORT, 'a question once asked stays as it was asked'); END;
CREATE TRIGGER nomination_questions_answered_once BEFORE UPDATE OF answer, answered_at ON nomination_questions
WHEN OLD.answered_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'an answer once given stays as it was given'); END;
CREATE TRIGGER nomination_questions_are_never_deleted BEFORE DELETE ON nomination_questions
BEGIN SELECT RAISE(ABORT, 'questions are never deleted'); END;
CREATE TRIGGER nomination_answer_files_are_never_deleted BEFORE DELETE ON nomination_answer_files
BEGIN SELECT RAISE(ABORT, 'answer files are never deleted'); END;

-- The digest windows sent (or, for the first row of a kind, the moment counting started).
CREATE TABLE digest_log (
    kind TEXT NOT NULL CHECK (kind IN ('daily', 'weekly')),
    window_end TEXT NOT NULL,
    window_start TEXT,
    messages INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (kind, window_end)
) WITHOUT ROWID;

-- An announcement as written, to whom it went, and how many people that was.
CREATE TABLE announcements (
    id INTEGER PRIMARY KEY,
    author_user_id INTEGER REFERENCES users (id),
    channel TEXT NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('all', 'group', 'unit')),
    target TEXT,
    text TEXT NOT NULL,
    recipients INTEGER NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TRIGGER announcements_are_immutable BEFORE UPDATE ON announcements
BEGIN SELECT RAISE(ABORT, 'announcements are kept as they were sent'); END;
CREATE TRIGGER announcements_are_never_deleted BEFORE DELETE ON announcements
BEGIN SELECT RAISE(ABORT, 'announcements are never deleted'); END;

-- Digests and exports read by time and by status; duplicates are looked for within a unit.
CREATE INDEX nominations_by_created ON nominations (created_at);
CREATE INDEX nominations_by_status ON nominations (status, created_at);
CREATE INDEX nominations_by_unit ON nominations (unit_code, id);
CREATE INDEX reports_by_submitted ON reports (submitted_at);

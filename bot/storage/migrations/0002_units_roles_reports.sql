-- Units with their history, people's roles, invite codes, progress reports and the audit log.

-- Every change to a unit is a new row; the unit "is" its latest row. Reports point at the row that was
-- current when they were submitted, so a rename or merger never rewrites what a report was about.
CREATE TABLE unit_versions (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_code TEXT,
    group_code TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'merged', 'retired')),
    merged_into TEXT,
    source TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE INDEX unit_versions_by_code ON unit_versions (code, id);

CREATE VIEW current_units AS
SELECT v.* FROM unit_versions v
WHERE v.id = (SELECT MAX(w.id) FROM unit_versions w WHERE w.code = v.code);

CREATE TRIGGER unit_versions_are_immutable
BEFORE UPDATE ON unit_versions
BEGIN
    SELECT RAISE(ABORT, 'unit versions are immutable; record a new version instead');
END;

CREATE TRIGGER unit_versions_are_never_deleted
BEFORE DELETE ON unit_versions
BEGIN
    SELECT RAISE(ABORT, 'unit versions are never deleted');
END;

CREATE TABLE role_grants (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('unit_rep', 'council', 'secretariat', 'admin')),
    unit_code TEXT,
    group_code TEXT,
    granted_at TEXT NOT NULL,
    granted_by INTEGER REFERENCES users (id),
    via_invite INTEGER REFERENCES invites (id),
    revoked_at TEXT,
    revoked_by INTEGER REFERENCES users (id)
);

CREATE INDEX role_grants_by_user ON role_grants (user_id) WHERE revoked_at IS NULL;
CREATE INDEX role_grants_by_unit ON role_grants (unit_code) WHERE revoked_at IS NULL;

-- Only a hash of each code is kept: the code itself is shown once, to whoever created it.
CREATE TABLE invites (
    id INTEGER PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('unit_rep', 'council', 'secretariat', 'admin')),
    unit_code TEXT,
    group_code TEXT,
    uses_left INTEGER NOT NULL CHECK (uses_left >= 0),
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    revoked_at TEXT
);

CREATE TABLE invite_attempts (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    at TEXT NOT NULL,
    ok INTEGER NOT NULL CHECK (ok IN (0, 1))
);

CREATE INDEX invite_attempts_by_user ON invite_attempts (user_id, at);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    campaign_code TEXT NOT NULL,
    period_code TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    unit_version_id INTEGER NOT NULL REFERENCES unit_versions (id),
    version INTEGER NOT NULL CHECK (version >= 1),
    submitted_by INTEGER NOT NULL REFERENCES users (id),
    channel TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    late INTEGER NOT NULL CHECK (late IN (0, 1)),
    UNIQUE (period_code, unit_code, version)
);

CREATE INDEX reports_by_period ON reports (period_code, unit_code, version);

CREATE TABLE report_areas (
    report_id INTEGER NOT NULL REFERENCES reports (id),
    area_code TEXT NOT NULL,
    narrative TEXT NOT NULL,
    PRIMARY KEY (report_id, area_code)
) WITHOUT ROWID;

CREATE TABLE report_values (
    report_id INTEGER NOT NULL REFERENCES reports (id),
    area_code TEXT NOT NULL,
    indicator_code TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (report_id, area_code, indicator_code)
) WITHOUT ROWID;

CREATE TABLE report_files (
    report_id INTEGER NOT NULL REFERENCES reports (id),
    position INTEGER NOT NULL,
    sha256 TEXT NOT NULL REFERENCES files (sha256),
    original_name TEXT,
    PRIMARY KEY (report_id, position)
) WITHOUT ROWID;

CREATE TRIGGER reports_are_immutable BEFORE UPDATE ON reports
BEGIN SELECT RAISE(ABORT, 'reports are immutable; an amendment is a new version'); END;
CREATE TRIGGER reports_are_never_deleted BEFORE DELETE ON reports
BEGIN SELECT RAISE(ABORT, 'reports are never deleted'); END;
CREATE TRIGGER report_areas_are_immutable BEFORE UPDATE ON report_areas
BEGIN SELECT RAISE(ABORT, 'reports are immutable'); END;
CREATE TRIGGER report_areas_are_never_deleted BEFORE DELETE ON report_areas
BEGIN SELECT RAISE(ABORT, 'reports are never deleted'); END;
CREATE TRIGGER report_values_are_immutable BEFORE UPDATE ON report_values
BEGIN SELECT RAISE(ABORT, 'reports are immutable'); END;
CREATE TRIGGER report_values_are_never_deleted BEFORE DELETE ON report_values
BEGIN SELECT RAISE(ABORT, 'reports are never deleted'); END;

-- Who did what, when, from where. Nothing in the product may change or remove a line.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_user_id INTEGER REFERENCES users (id),
    channel TEXT,
    action TEXT NOT NULL,
    subject TEXT,
    detail TEXT
);

CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_is_never_deleted BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- A unit representative's nomination is made by the unit.
ALTER TABLE nominations ADD COLUMN on_behalf_of_unit TEXT;

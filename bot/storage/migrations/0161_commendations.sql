-- What follows an approval: the secretariat proposes a form of commendation for an approved nomination,
-- the competent person decides, and the decision (number, date, signer) is recorded. Proposals signed in
-- one decision form the list of its annex. Nothing is deleted: a proposal withdrawn keeps its row.
CREATE TABLE commendation_decisions (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    signed_on TEXT NOT NULL,
    signer TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL
);

CREATE TABLE commendation_proposals (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    nomination_id INTEGER NOT NULL REFERENCES nominations (id),
    form_code TEXT NOT NULL,
    recipient TEXT NOT NULL CHECK (recipient IN ('individual', 'collective', 'household')),
    -- How the commendation comes: regular (year's results), thematic (a movement or phase), ad hoc.
    method TEXT NOT NULL CHECK (method IN ('regular', 'thematic', 'ad_hoc')),
    -- The eligibility the secretariat saw when proposing: met / not_met / unknown, and per criterion.
    eligibility TEXT NOT NULL,
    checked TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'decided', 'withdrawn')),
    decision_id INTEGER REFERENCES commendation_decisions (id),
    proposed_by INTEGER REFERENCES users (id),
    proposed_at TEXT NOT NULL,
    decided_at TEXT
);

CREATE INDEX commendation_proposals_by_status ON commendation_proposals (status, id);
CREATE INDEX commendation_proposals_by_decision ON commendation_proposals (decision_id);

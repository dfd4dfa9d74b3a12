-- Mail governance (issue 17): four-eyes access to a mailbox and the two stages of abuse
-- control. Times are unix microseconds (UTC).

-- Members of the staff council (Personalrat, Lehrerrat), assigned by the admin: the second
-- pair of eyes when a mailbox is opened, and a party to stage 2 of abuse control.
CREATE TABLE mail_staff_council (
    instance_id UUID NOT NULL REFERENCES instances(id),
    user_id UUID NOT NULL,
    assigned_by UUID NOT NULL,
    assigned_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, user_id),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);

-- An approved four-eyes access: `reader_id` (the Schulleitung account that asked) may read
-- the own folders of `owner_id` read-only until `until_at`. `id` is the four-eyes request
-- that a staff council member (`confirmed_by`) confirmed. Never a delegation: it cannot be
-- passed on, and it never reaches a mailbox the owner was given.
CREATE TABLE mail_inspections (
    instance_id UUID NOT NULL REFERENCES instances(id),
    id UUID NOT NULL,
    owner_id UUID NOT NULL,
    reader_id UUID NOT NULL,
    confirmed_by UUID NOT NULL,
    reason TEXT NOT NULL,
    until_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id),
    CHECK (owner_id <> reader_id),
    FOREIGN KEY (instance_id, owner_id) REFERENCES users(instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, reader_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX mail_inspections_by_reader ON mail_inspections (instance_id, reader_id, until_at);

-- Abuse control (Nutzungsbedingungen 7). Stage 1: the Schulleitung asks, with a reason, for
-- an anonymised analysis of traffic by external domain; the data-protection officer (an
-- operator) approves or refuses. Stage 2: purpose, a named scope of logins (never all) and a
-- period; a staff council member takes part and the officer decides. state: 'requested',
-- 'approved', 'refused', 'closed'. scope: the logins' ids, comma-separated (stage 2).
-- hold_id: the audit hold that keeps the scope's traffic data while the case is open.
CREATE TABLE mail_abuse_cases (
    instance_id UUID NOT NULL REFERENCES instances(id),
    id UUID NOT NULL,
    stage BIGINT NOT NULL CHECK (stage IN (1, 2)),
    state TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'refused', 'closed')),
    requester_id UUID NOT NULL,
    reason TEXT NOT NULL,
    scope TEXT NOT NULL,
    from_at BIGINT NOT NULL,
    until_at BIGINT NOT NULL,
    council_id UUID,
    officer_id UUID,
    decided_at BIGINT,
    hold_id UUID,
    created_at BIGINT NOT NULL,
    closed_at BIGINT,
    PRIMARY KEY (instance_id, id)
);
CREATE INDEX mail_abuse_cases_by_state ON mail_abuse_cases (state, created_at);

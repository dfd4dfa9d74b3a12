-- Four eyes: what one person may not do alone waits here for a second person (a Safe
-- password reset, a new holder of a Safe-granting function account, the release of a hold).
CREATE TABLE four_eyes_requests (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    kind TEXT NOT NULL,
    target_id UUID NOT NULL,
    requester_id UUID NOT NULL,
    requester_person UUID NOT NULL,
    detail TEXT,
    created_at BIGINT NOT NULL,
    state TEXT NOT NULL,
    decided_by UUID,
    decided_at BIGINT,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, target_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX four_eyes_by_state ON four_eyes_requests (instance_id, state, created_at);

-- After someone else set a login's password, its private areas (own files, Safe) stay
-- closed to it until a second person (or the owner) confirms.
CREATE TABLE private_holds (
    instance_id UUID NOT NULL,
    user_id UUID NOT NULL,
    reset_by UUID NOT NULL,
    reset_by_person UUID NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, user_id),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);

-- In-platform notifications of a login.
CREATE TABLE notifications (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    user_id UUID NOT NULL,
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX notifications_by_user ON notifications (instance_id, user_id, created_at);

-- Mail waiting to be sent to a login's external address (delivery comes later).
CREATE TABLE mail_outbox (
    instance_id UUID NOT NULL,
    id UUID NOT NULL,
    user_id UUID NOT NULL,
    to_addr TEXT NOT NULL,
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    PRIMARY KEY (instance_id, id),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);
CREATE INDEX mail_outbox_unsent ON mail_outbox (instance_id, created_at) WHERE sent_at IS NULL;

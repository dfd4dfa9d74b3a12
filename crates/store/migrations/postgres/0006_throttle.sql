-- Guesses are reserved atomically before the password is checked: the reserving statement
-- records whether it refused the attempt, so the caller learns it from the same statement.
ALTER TABLE login_throttle ADD COLUMN last_refused BIGINT NOT NULL DEFAULT 0;

-- Addresses a login has logged in from successfully: exempt from the per-account block, so
-- guesses from elsewhere cannot lock the owner out at her usual place.
CREATE TABLE login_known_addresses (
    instance_id UUID NOT NULL,
    user_id UUID NOT NULL,
    address TEXT NOT NULL,
    last_success_at BIGINT NOT NULL,
    PRIMARY KEY (instance_id, user_id, address),
    FOREIGN KEY (instance_id, user_id) REFERENCES users(instance_id, id) ON DELETE CASCADE
);

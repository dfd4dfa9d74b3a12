-- Guests may raise a hand in the conference, as members do (issue 16).
ALTER TABLE conference_guests ADD COLUMN hand_raised BOOLEAN NOT NULL DEFAULT FALSE;

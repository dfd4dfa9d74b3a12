-- Abuse control (issue 17, Nutzungsbedingungen 7): stage 2 rests on a further domain
-- analysis made after the general notice ("bei anhaltendem Verdacht … durch weitere
-- Domänenanalyse"). `follows_id` links a further stage-1 analysis to the case whose notice
-- it follows, and a stage-2 case to the further analysis it rests on; `notice_circle` keeps
-- the account types the general notice reached (comma-separated), so that stage 2 names
-- only persons who were told that a person-specific control may follow.
ALTER TABLE mail_abuse_cases ADD COLUMN follows_id UUID;
ALTER TABLE mail_abuse_cases ADD COLUMN notice_circle TEXT;

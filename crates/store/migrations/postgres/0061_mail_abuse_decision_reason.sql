-- Abuse control (issue 17): the data-protection officer's written reason for approving or
-- refusing a case, shown to the school with the decision (NULL for cases decided before it
-- was kept: their reason is in the operators' log only); and when the Schulleitung gave the
-- general notice to the affected circle of users after an approved stage-1 analysis (once
-- per case; the notice itself is in the notifications of those it reached).
ALTER TABLE mail_abuse_cases ADD COLUMN decision_reason TEXT;
ALTER TABLE mail_abuse_cases ADD COLUMN notice_at BIGINT;

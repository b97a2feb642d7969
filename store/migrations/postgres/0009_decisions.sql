-- The merchant's answer to a change: approved (a held proposal may be applied) or rejected,
-- when, and the reason given. Keep in step with the other backend's 0009_decisions.sql.
ALTER TABLE changes ADD COLUMN decided_at BIGINT;
ALTER TABLE changes ADD COLUMN decision_note TEXT;

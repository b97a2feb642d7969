-- What the merchant's rules decided for each change: the action (apply, hold, alert), the
-- listing update it proposes (JSON), and why. Keep in step with ../postgres/0002_proposals.sql.
ALTER TABLE changes ADD COLUMN action TEXT NOT NULL DEFAULT 'alert';
ALTER TABLE changes ADD COLUMN proposed_update TEXT;
ALTER TABLE changes ADD COLUMN why TEXT;

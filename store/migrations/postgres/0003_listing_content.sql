-- The listing's description and images, compared with the supplier's (optional: NULL means the
-- merchant did not import them, and they are not compared). Keep in step with ../sqlite/.
ALTER TABLE listings ADD COLUMN description TEXT;
ALTER TABLE listings ADD COLUMN images TEXT;

-- Administering accounts: a suspended account cannot log in (its sessions and tokens are ended
-- when it is suspended); the reason is kept for the admins. Suspension stays on this node.
ALTER TABLE local_account ADD COLUMN suspended_at TIMESTAMP;
ALTER TABLE local_account ADD COLUMN suspension_reason TEXT;

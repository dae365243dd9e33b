-- Placeholder: this number is another change's; kept so that versions have no gaps.
-- Placeholder: this number belongs to another branch.
-- Kept free for a migration of another branch.
SELECT 1;

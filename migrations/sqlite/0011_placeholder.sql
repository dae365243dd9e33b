-- Placeholder: this number is another change's; kept so that versions have no gaps.
-- Kept free for a migration of another branch.
SELECT 1;

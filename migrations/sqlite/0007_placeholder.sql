-- Kept free for a change made in parallel; intentionally empty.
SELECT 1;

-- Moving house. moved_to is the actor id of the account an organisation
-- moved to ('' while it has not moved); also_known_as lists, one per line,
-- the actor ids of its other accounts (where it came from), which
-- followers' servers check before they follow a Move to us.
ALTER TABLE organisations ADD COLUMN moved_to text NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN moved_at timestamptz;
ALTER TABLE organisations ADD COLUMN also_known_as text NOT NULL DEFAULT '';

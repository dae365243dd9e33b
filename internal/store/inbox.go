package store

import "github.com/soga/newsroom/internal/newsroom"

// ActivityKey is what tells incoming activities apart: the actor and the
// id together, as the inbox_activities table is keyed. Another actor of
// the same server may send an id already seen, and that is not a replay.
type ActivityKey struct {
	ActorID, ID string
}

// KeyOf returns the key of a.
func KeyOf(a newsroom.InboxActivity) ActivityKey {
	return ActivityKey{ActorID: a.ActorID, ID: a.ID}
}

// UniqueRecords returns records without the repeats of an actor's
// activity, keeping the first: what a backend writes of a batch.
func UniqueRecords(records []newsroom.InboxRecord) []newsroom.InboxRecord {
	seen := make(map[ActivityKey]bool, len(records))
	unique := make([]newsroom.InboxRecord, 0, len(records))
	for _, r := range records {
		k := KeyOf(r.Activity)
		if !seen[k] {
			seen[k] = true
			unique = append(unique, r)
		}
	}
	return unique
}

// Fresh reports, for each of records, whether this batch recorded it: its
// key was written now and no earlier record of the batch has it.
func Fresh(records []newsroom.InboxRecord, written map[ActivityKey]bool) []bool {
	seen := make(map[ActivityKey]bool, len(records))
	fresh := make([]bool, len(records))
	for i, r := range records {
		k := KeyOf(r.Activity)
		fresh[i] = written[k] && !seen[k]
		seen[k] = true
	}
	return fresh
}

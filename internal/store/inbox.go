package store

import "github.com/soga/newsroom/internal/newsroom"

// UniqueRecords returns records without the repeats of an activity id,
// keeping the first: what a backend writes of a batch.
func UniqueRecords(records []newsroom.InboxRecord) []newsroom.InboxRecord {
	seen := make(map[string]bool, len(records))
	unique := make([]newsroom.InboxRecord, 0, len(records))
	for _, r := range records {
		if !seen[r.Activity.ID] {
			seen[r.Activity.ID] = true
			unique = append(unique, r)
		}
	}
	return unique
}

// Fresh reports, for each of records, whether this batch recorded it: its
// id was written now and no earlier record of the batch has it.
func Fresh(records []newsroom.InboxRecord, written map[string]bool) []bool {
	seen := make(map[string]bool, len(records))
	fresh := make([]bool, len(records))
	for i, r := range records {
		id := r.Activity.ID
		fresh[i] = written[id] && !seen[id]
		seen[id] = true
	}
	return fresh
}

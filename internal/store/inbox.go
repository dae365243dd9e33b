package store

import "github.com/soga/newsroom/internal/newsroom"

// FirstRecords returns the records whose activity id does not occur
// earlier in records, and for each of records the index of that record in
// the result, or -1 for a repeat: backends write the first and report the
// others as seen before.
func FirstRecords(records []newsroom.InboxRecord) (first []newsroom.InboxRecord, index []int) {
	seen := make(map[string]int, len(records))
	index = make([]int, len(records))
	for i, r := range records {
		if _, ok := seen[r.Activity.ID]; ok {
			index[i] = -1
			continue
		}
		seen[r.Activity.ID] = len(first)
		index[i] = len(first)
		first = append(first, r)
	}
	return first, index
}

package postgres

import "time"

// SetCheckEvery shortens how long the change listener waits before
// checking its connection, until the test ends.
func SetCheckEvery(d time.Duration) (restore func()) {
	old := checkEvery
	checkEvery = d
	return func() { checkEvery = old }
}

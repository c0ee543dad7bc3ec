//go:build race

package archive_test

// raceEnabled says the race detector is on: it slows the export tenfold
// and changes what the heap holds.
const raceEnabled = true

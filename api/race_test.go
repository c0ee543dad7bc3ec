//go:build race

package api_test

// raceEnabled says the race detector is on: its instrumentation allocates,
// so allocation counts measured under it are its own.
const raceEnabled = true

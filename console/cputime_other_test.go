//go:build !linux

package console_test

import "time"

// threadCPU is unknown here: the benchmarks report wall time alone.
func threadCPU() time.Duration { return 0 }

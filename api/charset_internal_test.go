package api

import (
	"bytes"
	"strings"
	"testing"
	"testing/iotest"
)

func TestValidUTF8AcrossReads(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("住房公积金", 10_000) // runes cut at every 32 KiB boundary
	tests := []struct {
		name string
		data string
		want bool
	}{
		{"empty", "", true},
		{"ascii", "hello\n", true},
		{"chinese over many reads", long, true},
		{"a bad byte far in", long + "\xff" + long, false},
		{"cut at the end", long + "\xe4\xbd", false},
		{"latin-1", "caf\xe9", false},
	}
	for _, tc := range tests {
		for _, r := range []struct {
			name string
			wrap func([]byte) interface{ Read([]byte) (int, error) }
		}{
			{"whole", func(b []byte) interface{ Read([]byte) (int, error) } { return bytes.NewReader(b) }},
			{"one byte at a time", func(b []byte) interface{ Read([]byte) (int, error) } { return iotest.OneByteReader(bytes.NewReader(b)) }},
		} {
			if got := validUTF8(r.wrap([]byte(tc.data))); got != tc.want {
				t.Errorf("%s, %s: %v, want %v", tc.name, r.name, got, tc.want)
			}
		}
	}
}

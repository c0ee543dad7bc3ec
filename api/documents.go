package api

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/tlhpf/cms/cms"
)

// Documents encodes what the content API serves for a published item: its
// item detail document and its entry in listings (cms.Documents). The
// workflow stores both in the projection when a revision goes live, so
// that a cache miss serves stored bytes; they are encoded by the same
// types and encoder as the responses built at read time, from the row as
// the store keeps it (its JSON decoded as a read decodes it), so both give
// the same bytes.
type Documents struct{}

var _ cms.Documents = Documents{}

// ItemDocument encodes the item detail response of p and its live revision.
func (Documents) ItemDocument(p *cms.PublicItem, rev *cms.Revision) ([]byte, error) {
	q := *p
	if err := storedMap(p.FieldsJSON, &q.Fields); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeJSONBody(&buf, toPublicItem(&q, rev)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ListEntry encodes p's entry in a listing: one element of its items.
func (Documents) ListEntry(p *cms.PublicItem) ([]byte, error) {
	q := *p
	if err := storedMap(p.SummaryJSON, &q.Summary); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := writeJSONBody(&buf, toPublicSummary(&q)); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// storedMap decodes the JSON text a row stores for a map as the store
// reads it back (numbers as json.Number), leaving m as it is without one.
func storedMap(text string, m *map[string]any) error {
	if text == "" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(text)))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		return err
	}
	*m = out
	return nil
}

// ListingDocument assembles a listing response from its entries.
func (Documents) ListingDocument(column string, entries [][]byte, next string) []byte {
	return listingDocument(column, entries, next)
}

// listingDocument assembles a listing response from its entries, as
// encoding the map {"column", "items", "next_cursor"} would: keys in
// order, no HTML escaping, a final newline.
func listingDocument(column string, entries [][]byte, next string) []byte {
	n := 64 + len(column) + len(next)
	for _, e := range entries {
		n += len(e) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"column":`...)
	b = appendJSONString(b, column)
	b = append(b, `,"items":[`...)
	for i, e := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e...)
	}
	b = append(b, `],"next_cursor":`...)
	if next == "" {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, next)
	}
	return append(b, "}\n"...)
}

// appendJSONString appends s as a JSON string the way writeJSONBody
// encodes it; column slugs and cursors are plain ASCII, which take the
// quick way.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			var buf bytes.Buffer
			_ = writeJSONBody(&buf, s)
			return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		}
	}
	return strconv.AppendQuote(b, s) // no character needs escaping: the same bytes
}

package console

import (
	"slices"
	"strconv"
	"strings"

	"github.com/tlhpf/cms/cms"
)

// The secrecy reviewer reads each finding where it is: the text of every
// field with findings, as written, with each finding marked and linked to
// its acknowledgement. Findings that only the rendered text shows (markup
// split them in the text as written) keep their excerpt alone.

// markedText is one field's text cut into plain parts and marked findings.
type markedText struct {
	Field string // the field's label
	Parts []markedPart
}

// markedPart is a run of text; Finding is set when it is a finding.
type markedPart struct {
	Text    string
	Finding *findingRow
}

// markFindings cuts the texts of rev that have findings into parts, in
// the order of the findings' fields.
func markFindings(ct *cms.ContentType, rev *cms.Revision, rows []findingRow) []markedText {
	byField := map[string][]*findingRow{}
	var order []string
	for i := range rows {
		f := &rows[i]
		if f.Rendered || f.Length <= 0 {
			continue
		}
		if _, seen := byField[f.Field]; !seen {
			order = append(order, f.Field)
		}
		byField[f.Field] = append(byField[f.Field], f)
	}
	var out []markedText
	for _, field := range order {
		text, ok := revisionText(rev, field)
		if !ok {
			continue
		}
		out = append(out, markedText{Field: findingField(ct, field), Parts: cutText(text, byField[field])})
	}
	return out
}

// cutText marks fs in text (offsets in runes); a finding overlapping one
// marked before it stays unmarked.
func cutText(text string, fs []*findingRow) []markedPart {
	runes := []rune(text)
	slices.SortStableFunc(fs, func(a, b *findingRow) int { return a.Offset - b.Offset })
	var out []markedPart
	at := 0
	for _, f := range fs {
		end := f.Offset + f.Length
		if f.Offset < at || end > len(runes) {
			continue
		}
		if f.Offset > at {
			out = append(out, markedPart{Text: string(runes[at:f.Offset])})
		}
		out = append(out, markedPart{Text: string(runes[f.Offset:end]), Finding: f})
		at = end
	}
	if at < len(runes) {
		out = append(out, markedPart{Text: string(runes[at:])})
	}
	return out
}

// revisionText finds the text a finding's field path names: the title,
// the body, a string in the typed fields ("fields.materials[0].name") or
// an attachment's name ("attachments[1].name").
func revisionText(rev *cms.Revision, path string) (string, bool) {
	switch path {
	case "title":
		return rev.Title, true
	case "body":
		return rev.Body, true
	}
	if rest, ok := strings.CutPrefix(path, "attachments["); ok {
		i, err := strconv.Atoi(strings.TrimSuffix(rest, "].name"))
		if err != nil || i < 0 || i >= len(rev.Attachments) {
			return "", false
		}
		return rev.Attachments[i].Name, true
	}
	rest, ok := strings.CutPrefix(path, "fields.")
	if !ok {
		return "", false
	}
	var v any = rev.Fields
	for _, part := range strings.Split(rest, ".") {
		name, index, indexed := strings.Cut(part, "[")
		m, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		v = m[name]
		for indexed {
			var n string
			n, index, _ = strings.Cut(index, "]")
			i, err := strconv.Atoi(n)
			list, ok := v.([]any)
			if err != nil || !ok || i < 0 || i >= len(list) {
				return "", false
			}
			v = list[i]
			index, indexed = strings.CutPrefix(index, "[")
		}
	}
	s, ok := v.(string)
	return s, ok
}

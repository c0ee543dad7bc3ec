package cms_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tlhpf/cms/cms"
)

// FuzzNormalizeFields feeds arbitrary JSON objects to every content type:
// no panic, and whatever is accepted normalises to itself again.
func FuzzNormalizeFields(f *testing.F) {
	for _, s := range []string{
		`{"conditions":["新设立的单位"],"materials":[{"name":"营业执照","copies":1}]}`,
		`{"coordinates":{"lat":30.9,"lng":117.8},"business_types":["loan","loan"]}`,
		`{"max_amount":1e300,"rate_up_to_5_years":"2.85","version":"2.10.0"}`,
		`{"steps":[{"title":""},null,7],"answer":"**x**"}`, `{}`, `{"x":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if dec.Decode(&m) != nil {
			return
		}
		for _, ct := range cms.ContentTypes() {
			out, fe := ct.NormalizeFields(m)
			if len(fe) > 0 {
				continue
			}
			b, _ := json.Marshal(out)
			var again map[string]any
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber()
			if err := dec.Decode(&again); err != nil {
				t.Fatalf("%s: normalised fields do not round-trip: %v", ct.Name, err)
			}
			out2, fe2 := ct.NormalizeFields(again)
			b2, _ := json.Marshal(out2)
			if len(fe2) > 0 || !bytes.Equal(b, b2) {
				t.Fatalf("%s: not idempotent: %s -> %s (%v)", ct.Name, b, b2, fe2)
			}
		}
	})
}

// FuzzSearchAndSnippets: tokens, query phrases and snippets never panic,
// and snippets are valid UTF-8 with every tag balanced.
func FuzzSearchAndSnippets(f *testing.F) {
	for _, s := range []string{"住房公积金提取须知", "loan提取 0.25%", "<b>&\"'", "", "\xff\xfe", "提"} {
		f.Add(s, "提取")
	}
	f.Fuzz(func(t *testing.T, text, q string) {
		_ = cms.SearchTokens(text)
		_ = cms.QueryPhrases(q)
		sn := cms.Snippet(text, q, 40)
		if !utf8.ValidString(sn) && utf8.ValidString(text) {
			t.Fatalf("snippet not UTF-8: %q", sn)
		}
		if strings.Count(sn, "<mark>") != strings.Count(sn, "</mark>") {
			t.Fatalf("unbalanced marks: %q", sn)
		}
		if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(sn, "<mark>", ""), "</mark>", ""), "<") {
			t.Fatalf("markup leaked into a snippet: %q", sn)
		}
	})
}

// FuzzSecrecyScan: the scanner never panics and its findings stay inside
// the text they point into.
func FuzzSecrecyScan(f *testing.F) {
	for _, s := range []string{"身份证340702198503120027", "手机 138 1234 5678", "机密★1年", "6222021234567890123", "a@b.cn"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, fd := range cms.Scan([]cms.ScanText{{Field: "body", Text: text}}, []cms.SensitiveWord{{Word: "内幕"}}) {
			if fd.Offset < 0 || fd.Length <= 0 || fd.Offset+fd.Length > utf8.RuneCountInString(text) {
				t.Fatalf("finding outside the text: %+v in %q", fd, text)
			}
		}
	})
}

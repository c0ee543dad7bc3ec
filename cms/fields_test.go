package cms_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// fieldPaths returns the sorted paths of fe, so that tests can compare the
// set of fields at fault whatever the order of map iteration.
func fieldPaths(fe cms.FieldErrors) []string {
	out := make([]string, 0, len(fe))
	for _, e := range fe {
		out = append(out, e.Field)
	}
	slices.Sort(out)
	return out
}

// mustType returns the content type called name or stops the test.
func mustType(tb testing.TB, name string) *cms.ContentType {
	tb.Helper()
	ct := cms.LookupContentType(name)
	if ct == nil {
		tb.Fatalf("LookupContentType(%q) = nil", name)
	}
	return ct
}

// TestNormalizeFieldsAccepts feeds every field kind a good value and checks
// the canonical form that comes out.
func TestNormalizeFieldsAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		typ  string
		in   map[string]any
		want map[string]any
	}{
		{
			name: "strings trimmed and string list kept in order with repeats",
			typ:  cms.TypeArticle,
			in:   map[string]any{"summary": "  摘要  ", "source": "中心", "tags": []any{" 缴存 ", "提取", "提取"}},
			want: map[string]any{"summary": "摘要", "source": "中心", "tags": []any{"缴存", "提取", "提取"}},
		},
		{
			name: "string at its maximum length in characters",
			typ:  cms.TypeArticle,
			in:   map[string]any{"summary": strings.Repeat("字", 300)},
			want: map[string]any{"summary": strings.Repeat("字", 300)},
		},
		{
			name: "null values dropped",
			typ:  cms.TypeArticle,
			in:   map[string]any{"summary": nil, "author": "李明", "tags": nil},
			want: map[string]any{"author": "李明"},
		},
		{
			name: "blank strings and empty lists dropped",
			typ:  cms.TypeArticle,
			in:   map[string]any{"summary": "   ", "tags": []any{}},
			want: map[string]any{},
		},
		{
			name: "empty input",
			typ:  cms.TypeGuide,
			in:   map[string]any{},
			want: map[string]any{},
		},
		{
			name: "policy dates and enum",
			typ:  cms.TypePolicy,
			in: map[string]any{"document_number": "铜公积金〔2018〕19号", "issuing_body": "铜陵市住房公积金管理中心",
				"issued_on": "2024-02-29", "effective_date": "2024-03-01", "validity": "repealed", "repealed_on": "2025-12-31"},
			want: map[string]any{"document_number": "铜公积金〔2018〕19号", "issuing_body": "铜陵市住房公积金管理中心",
				"issued_on": "2024-02-29", "effective_date": "2024-03-01", "validity": "repealed", "repealed_on": "2025-12-31"},
		},
		{
			name: "guide object lists with integers as json.Number and float64",
			typ:  cms.TypeGuide,
			in: map[string]any{
				"conditions": []any{"新设立的单位"},
				"materials": []any{
					map[string]any{"name": " 营业执照 ", "form": "copy", "copies": json.Number("2")},
					map[string]any{"name": "身份证", "form": "original_and_copy", "copies": float64(1), "note": nil},
				},
				"steps": []any{
					map[string]any{"title": "提交材料", "description": "携带材料到窗口。\n当场受理。"},
					map[string]any{"title": "办结"},
				},
				"time_limit":    "即时办结",
				"place":         "各管理部窗口",
				"contact_phone": " 0562-12345678 ",
				"legal_basis":   []any{"《住房公积金管理条例》"},
			},
			want: map[string]any{
				"conditions": []any{"新设立的单位"},
				"materials": []any{
					map[string]any{"name": "营业执照", "form": "copy", "copies": int64(2)},
					map[string]any{"name": "身份证", "form": "original_and_copy", "copies": int64(1)},
				},
				"steps": []any{
					map[string]any{"title": "提交材料", "description": "携带材料到窗口。\n当场受理。"},
					map[string]any{"title": "办结"},
				},
				"time_limit":    "即时办结",
				"place":         "各管理部窗口",
				"contact_phone": "0562-12345678",
				"legal_basis":   []any{"《住房公积金管理条例》"},
			},
		},
		{
			name: "outlet enum list, phone and coordinates from json.Number and float64",
			typ:  cms.TypeOutlet,
			in: map[string]any{"address": "铜陵市长江西路", "phone": "+86 (562) 123-4567", "opening_hours": "周一至周五",
				"business_types": []any{"deposit", "loan"}, "coordinates": map[string]any{"lat": json.Number("30.94"), "lng": 117.81}},
			want: map[string]any{"address": "铜陵市长江西路", "phone": "+86 (562) 123-4567", "opening_hours": "周一至周五",
				"business_types": []any{"deposit", "loan"}, "coordinates": map[string]any{"lat": 30.94, "lng": 117.81}},
		},
		{
			name: "coordinates at the bounds",
			typ:  cms.TypeOutlet,
			in:   map[string]any{"coordinates": map[string]any{"lat": float64(-90), "lng": json.Number("180")}},
			want: map[string]any{"coordinates": map[string]any{"lat": float64(-90), "lng": float64(180)}},
		},
		{
			name: "calculator decimals kept exact as strings, integers as int64",
			typ:  cms.TypeCalculator,
			in: map[string]any{"rate_up_to_5_years": "2.85", "rate_over_5_years": json.Number("3.1"),
				"second_home_rate_up_to_5_years": 3.025, "second_home_rate_over_5_years": " 100 ",
				"balance_multiple": "0.12345678", "min_down_payment_ratio": json.Number("0"),
				"max_amount": json.Number("10000000000"), "max_term_months": float64(360), "retirement_age": json.Number("65")},
			want: map[string]any{"rate_up_to_5_years": "2.85", "rate_over_5_years": "3.1",
				"second_home_rate_up_to_5_years": "3.025", "second_home_rate_over_5_years": "100",
				"balance_multiple": "0.12345678", "min_down_payment_ratio": "0",
				"max_amount": int64(10_000_000_000), "max_term_months": int64(360), "retirement_age": int64(65)},
		},
		{
			name: "app release version, url, text and date",
			typ:  cms.TypeAppRelease,
			in: map[string]any{"platform": "android", "version": "2.4.1", "min_supported_version": "0.10",
				"notes": "修复问题。\n\n提升速度。", "download_url": "https://example.com/app.apk?v=2.4.1", "released_on": "2025-01-31"},
			want: map[string]any{"platform": "android", "version": "2.4.1", "min_supported_version": "0.10",
				"notes": "修复问题。\n\n提升速度。", "download_url": "https://example.com/app.apk?v=2.4.1", "released_on": "2025-01-31"},
		},
		{
			name: "plain http url",
			typ:  cms.TypeAppRelease,
			in:   map[string]any{"download_url": "http://example.com/app"},
			want: map[string]any{"download_url": "http://example.com/app"},
		},
		{
			name: "faq text keeps its lines",
			typ:  cms.TypeFAQ,
			in:   map[string]any{"question": "如何提取？", "answer": "第一步。\r\n第二步。"},
			want: map[string]any{"question": "如何提取？", "answer": "第一步。\r\n第二步。"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, fe := mustType(t, tt.typ).NormalizeFields(tt.in)
			if len(fe) != 0 {
				t.Fatalf("NormalizeFields errors: %+v", fe)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("NormalizeFields =\n%#v\nwant\n%#v", got, tt.want)
			}
		})
	}
}

// TestNormalizeFieldsRefuses checks that bad values are refused with the
// path of the field at fault, and only that path.
func TestNormalizeFieldsRefuses(t *testing.T) {
	t.Parallel()
	goodMaterial := map[string]any{"name": "身份证"}
	tests := []struct {
		name string
		typ  string
		in   map[string]any
		want []string // field paths, sorted
	}{
		{"unknown field", cms.TypeArticle, map[string]any{"colour": "red"}, []string{"fields.colour"}},
		{"unknown field even when null", cms.TypeArticle, map[string]any{"colour": nil}, []string{"fields.colour"}},
		{"field of another type", cms.TypeArticle, map[string]any{"validity": "current"}, []string{"fields.validity"}},
		{"string not a string", cms.TypeArticle, map[string]any{"summary": json.Number("5")}, []string{"fields.summary"}},
		{"string over two lines", cms.TypeArticle, map[string]any{"summary": "一\n二"}, []string{"fields.summary"}},
		{"string too long", cms.TypeArticle, map[string]any{"summary": strings.Repeat("字", 301)}, []string{"fields.summary"}},
		{"text too long", cms.TypeFAQ, map[string]any{"answer": strings.Repeat("a", 20_001)}, []string{"fields.answer"}},
		{"string list not a list", cms.TypeArticle, map[string]any{"tags": "缴存"}, []string{"fields.tags"}},
		{"string list bad entries", cms.TypeArticle, map[string]any{"tags": []any{"ok", json.Number("3"), " ", "a\nb"}},
			[]string{"fields.tags[1]", "fields.tags[2]", "fields.tags[3]"}},
		{"string list too long", cms.TypeArticle, map[string]any{"tags": manyStrings(21)}, []string{"fields.tags"}},
		{"date not a day", cms.TypePolicy, map[string]any{"issued_on": "2023-02-29"}, []string{"fields.issued_on"}},
		{"date with slashes", cms.TypePolicy, map[string]any{"issued_on": "2024/01/01"}, []string{"fields.issued_on"}},
		{"date with time", cms.TypePolicy, map[string]any{"issued_on": "2024-01-01T00:00:00Z"}, []string{"fields.issued_on"}},
		{"date as number", cms.TypePolicy, map[string]any{"effective_date": json.Number("20240101")}, []string{"fields.effective_date"}},
		{"enum other case", cms.TypePolicy, map[string]any{"validity": "Current"}, []string{"fields.validity"}},
		{"enum not a string", cms.TypeAppRelease, map[string]any{"platform": true}, []string{"fields.platform"}},
		{"enum list repeats", cms.TypeOutlet, map[string]any{"business_types": []any{"loan", "deposit", "loan"}},
			[]string{"fields.business_types[2]"}},
		{"enum list unknown option", cms.TypeOutlet, map[string]any{"business_types": []any{"mortgage", "loan"}},
			[]string{"fields.business_types[0]"}},
		{"enum list not a list", cms.TypeOutlet, map[string]any{"business_types": "loan"}, []string{"fields.business_types"}},
		{"url javascript", cms.TypeAppRelease, map[string]any{"download_url": "javascript:alert(1)"}, []string{"fields.download_url"}},
		{"url ftp", cms.TypeAppRelease, map[string]any{"download_url": "ftp://example.com/app"}, []string{"fields.download_url"}},
		{"url relative", cms.TypeAppRelease, map[string]any{"download_url": "/app.apk"}, []string{"fields.download_url"}},
		{"url without host", cms.TypeAppRelease, map[string]any{"download_url": "https://"}, []string{"fields.download_url"}},
		{"url too long", cms.TypeAppRelease, map[string]any{"download_url": "https://example.com/" + strings.Repeat("a", 2000)},
			[]string{"fields.download_url"}},
		{"phone with letters", cms.TypeOutlet, map[string]any{"phone": "call 12345"}, []string{"fields.phone"}},
		{"phone too short", cms.TypeOutlet, map[string]any{"phone": "12"}, []string{"fields.phone"}},
		{"phone as number", cms.TypeGuide, map[string]any{"contact_phone": json.Number("12345678")}, []string{"fields.contact_phone"}},
		{"version with v", cms.TypeAppRelease, map[string]any{"version": "v2"}, []string{"fields.version"}},
		{"version major only", cms.TypeAppRelease, map[string]any{"version": "2"}, []string{"fields.version"}},
		{"version four parts", cms.TypeAppRelease, map[string]any{"version": "2.4.1.0"}, []string{"fields.version"}},
		{"version leading zero", cms.TypeAppRelease, map[string]any{"min_supported_version": "02.4"}, []string{"fields.min_supported_version"}},
		{"integer fraction as json.Number", cms.TypeCalculator, map[string]any{"max_term_months": json.Number("2.5")},
			[]string{"fields.max_term_months"}},
		{"integer fraction as float64", cms.TypeCalculator, map[string]any{"max_term_months": 2.5}, []string{"fields.max_term_months"}},
		{"integer as string", cms.TypeCalculator, map[string]any{"max_term_months": "360"}, []string{"fields.max_term_months"}},
		{"integer above max", cms.TypeCalculator, map[string]any{"max_term_months": json.Number("601")}, []string{"fields.max_term_months"}},
		{"integer below min", cms.TypeCalculator, map[string]any{"retirement_age": float64(17)}, []string{"fields.retirement_age"}},
		{"decimal negative string", cms.TypeCalculator, map[string]any{"rate_up_to_5_years": "-1"}, []string{"fields.rate_up_to_5_years"}},
		{"decimal negative json.Number", cms.TypeCalculator, map[string]any{"rate_up_to_5_years": json.Number("-0.5")},
			[]string{"fields.rate_up_to_5_years"}},
		{"decimal negative float64", cms.TypeCalculator, map[string]any{"rate_up_to_5_years": -2.5}, []string{"fields.rate_up_to_5_years"}},
		{"decimal nine places", cms.TypeCalculator, map[string]any{"balance_multiple": "0.123456789"}, []string{"fields.balance_multiple"}},
		{"decimal exponent", cms.TypeCalculator, map[string]any{"balance_multiple": json.Number("1e2")}, []string{"fields.balance_multiple"}},
		{"decimal words", cms.TypeCalculator, map[string]any{"balance_multiple": "two"}, []string{"fields.balance_multiple"}},
		{"decimal bool", cms.TypeCalculator, map[string]any{"balance_multiple": true}, []string{"fields.balance_multiple"}},
		{"decimal above max", cms.TypeCalculator, map[string]any{"rate_over_5_years": "100.01"}, []string{"fields.rate_over_5_years"}},
		{"ratio above one", cms.TypeCalculator, map[string]any{"min_down_payment_ratio": json.Number("1.5")},
			[]string{"fields.min_down_payment_ratio"}},
		{"coordinates out of range", cms.TypeOutlet, map[string]any{"coordinates": map[string]any{"lat": 91.0, "lng": 117.0}},
			[]string{"fields.coordinates"}},
		{"coordinates without lng", cms.TypeOutlet, map[string]any{"coordinates": map[string]any{"lat": 30.0}},
			[]string{"fields.coordinates"}},
		{"coordinates extra key", cms.TypeOutlet,
			map[string]any{"coordinates": map[string]any{"lat": 30.0, "lng": 117.0, "alt": 10.0}}, []string{"fields.coordinates"}},
		{"coordinates as strings", cms.TypeOutlet, map[string]any{"coordinates": map[string]any{"lat": "30", "lng": "117"}},
			[]string{"fields.coordinates"}},
		{"coordinates not an object", cms.TypeOutlet, map[string]any{"coordinates": []any{30.0, 117.0}}, []string{"fields.coordinates"}},
		{"object list not a list", cms.TypeGuide, map[string]any{"materials": goodMaterial}, []string{"fields.materials"}},
		{"object list entry not an object", cms.TypeGuide, map[string]any{"materials": []any{goodMaterial, "身份证"}},
			[]string{"fields.materials[1]"}},
		{"object list required sub-field missing", cms.TypeGuide,
			map[string]any{"materials": []any{map[string]any{"form": "copy"}}}, []string{"fields.materials[0].name"}},
		{"object list required sub-field null", cms.TypeGuide,
			map[string]any{"steps": []any{map[string]any{"title": "提交"}, map[string]any{"title": nil}}}, []string{"fields.steps[1].title"}},
		{"object list unknown sub-field", cms.TypeGuide,
			map[string]any{"materials": []any{map[string]any{"name": "身份证", "colour": "red"}}}, []string{"fields.materials[0].colour"}},
		{"object list bad sub-field enum", cms.TypeGuide,
			map[string]any{"materials": []any{goodMaterial, map[string]any{"name": "户口簿", "form": "scan"}}},
			[]string{"fields.materials[1].form"}},
		{"object list sub-field integer out of range", cms.TypeGuide,
			map[string]any{"materials": []any{map[string]any{"name": "照片", "copies": json.Number("0")},
				map[string]any{"name": "复印件", "copies": float64(100)}}},
			[]string{"fields.materials[0].copies", "fields.materials[1].copies"}},
		{"several fields at once", cms.TypeAppRelease,
			map[string]any{"platform": "windows", "version": "v2", "download_url": "javascript:alert(1)", "extra": 1.0},
			[]string{"fields.download_url", "fields.extra", "fields.platform", "fields.version"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, fe := mustType(t, tt.typ).NormalizeFields(tt.in)
			if paths := fieldPaths(fe); !slices.Equal(paths, tt.want) {
				t.Fatalf("error paths = %q, want %q (errors %+v)", paths, tt.want, fe)
			}
			for _, e := range fe {
				if e.Message == "" {
					t.Errorf("%s: empty message", e.Field)
				}
			}
			// A refused top-level value never reaches the output.
			for _, p := range tt.want {
				name, _, _ := strings.Cut(strings.TrimPrefix(p, "fields."), "[")
				if v, ok := got[name]; ok && !strings.Contains(p, "[") {
					t.Errorf("refused %s is in the output as %#v", name, v)
				}
			}
		})
	}
}

// TestNormalizeFieldsErr checks that field errors become one validation error.
func TestNormalizeFieldsErr(t *testing.T) {
	t.Parallel()
	_, fe := mustType(t, cms.TypeOutlet).NormalizeFields(map[string]any{"coordinates": "here"})
	err := fe.Err("invalid fields")
	if got := cms.ErrorCode(err); got != cms.EINVALID {
		t.Fatalf("ErrorCode = %q, want %q", got, cms.EINVALID)
	}
	var e *cms.Error
	if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "fields.coordinates" {
		t.Errorf("error = %#v, want one field error on fields.coordinates", err)
	}
	if err := (cms.FieldErrors{}).Err("x"); err != nil {
		t.Errorf("empty FieldErrors.Err = %v, want nil", err)
	}
}

// TestContentTypes checks the registry: every type is found by name, the
// list is sorted and unknown names give nil.
func TestContentTypes(t *testing.T) {
	t.Parallel()
	want := []string{cms.TypeAppRelease, cms.TypeArticle, cms.TypeCalculator, cms.TypeFAQ, cms.TypeGuide, cms.TypeOutlet, cms.TypePolicy}
	var got []string
	for _, ct := range cms.ContentTypes() {
		got = append(got, ct.Name)
		if cms.LookupContentType(ct.Name) != ct {
			t.Errorf("LookupContentType(%q) is not the listed type", ct.Name)
		}
		for _, f := range ct.Fields {
			if f.Label == "" {
				t.Errorf("%s.%s has no label", ct.Name, f.Name)
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("ContentTypes = %q, want %q", got, want)
	}
	if ct := cms.LookupContentType("page"); ct != nil {
		t.Errorf("LookupContentType(page) = %v, want nil", ct)
	}
}

func manyStrings(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = "标签" + strings.Repeat("x", i)
	}
	return out
}

// TestNormalizeFieldsDropsBlankValues: a blank optional value means "not
// given", whatever the kind, so that clients may send empty form fields.
func TestNormalizeFieldsDropsBlankValues(t *testing.T) {
	t.Parallel()
	ct := cms.LookupContentType(cms.TypeGuide)
	got, fe := ct.NormalizeFields(map[string]any{"contact_phone": "  ", "fees": "", "place": " 市政务服务中心 "})
	if len(fe) != 0 {
		t.Fatalf("errors %v", fe)
	}
	if len(got) != 1 || got["place"] != "市政务服务中心" {
		t.Errorf("normalised = %v", got)
	}
	rev := &cms.Revision{Title: "t", Fields: got}
	missing := ct.Missing(rev)
	for _, f := range missing {
		if f.Field == "fields.contact_phone" || f.Field == "fields.fees" {
			t.Errorf("optional %s reported missing", f.Field)
		}
	}
}

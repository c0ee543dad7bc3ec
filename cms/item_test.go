package cms_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/tlhpf/cms/cms"
)

// completeGuide returns the fields of a guide that can be submitted.
func completeGuide() map[string]any {
	return map[string]any{
		"conditions": []any{"新设立的单位"},
		"materials":  []any{map[string]any{"name": "营业执照", "form": "copy", "copies": json.Number("2")}},
		"steps":      []any{map[string]any{"title": "提交材料"}},
		"time_limit": "即时办结",
		"place":      "各管理部窗口",
	}
}

// TestMissing checks what each content type needs before submission.
func TestMissing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		typ  string
		rev  cms.Revision
		want []string // sorted
	}{
		{"empty article", cms.TypeArticle, cms.Revision{}, []string{"body", "title"}},
		{"article without body", cms.TypeArticle, cms.Revision{Title: "标题"}, []string{"body"}},
		{"complete article", cms.TypeArticle, cms.Revision{Title: "标题", Body: "正文"}, nil},
		{"empty guide", cms.TypeGuide, cms.Revision{},
			[]string{"fields.conditions", "fields.materials", "fields.place", "fields.steps", "fields.time_limit", "title"}},
		{"guide with empty lists", cms.TypeGuide, cms.Revision{Title: "指南", Fields: map[string]any{
			"conditions": []any{}, "materials": []any{}, "steps": []any{}, "time_limit": "", "place": "窗口"}},
			[]string{"fields.conditions", "fields.materials", "fields.steps", "fields.time_limit"}},
		{"complete guide without body", cms.TypeGuide, cms.Revision{Title: "指南", Fields: completeGuide()}, nil},
		{"current policy", cms.TypePolicy, cms.Revision{Title: "办法", Body: "全文", Fields: map[string]any{
			"document_number": "1号", "issuing_body": "中心", "effective_date": "2024-01-01", "validity": "current"}}, nil},
		{"repealed policy without repealed_on", cms.TypePolicy, cms.Revision{Title: "办法", Body: "全文", Fields: map[string]any{
			"document_number": "1号", "issuing_body": "中心", "effective_date": "2024-01-01", "validity": "repealed"}},
			[]string{"fields.repealed_on"}},
		{"repealed policy with repealed_on", cms.TypePolicy, cms.Revision{Title: "办法", Body: "全文", Fields: map[string]any{
			"document_number": "1号", "issuing_body": "中心", "effective_date": "2024-01-01", "validity": "repealed",
			"repealed_on": "2025-01-01"}}, nil},
		{"empty policy", cms.TypePolicy, cms.Revision{}, []string{"body", "fields.document_number", "fields.effective_date",
			"fields.issuing_body", "fields.validity", "title"}},
		{"empty app release", cms.TypeAppRelease, cms.Revision{Title: "2.4.1"}, []string{"fields.download_url",
			"fields.min_supported_version", "fields.notes", "fields.platform", "fields.version"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rev := tt.rev
			if got := fieldPaths(mustType(t, tt.typ).Missing(&rev)); !slices.Equal(got, tt.want) {
				t.Errorf("Missing = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMissingRequiredFields checks, for every content type, that an empty
// revision lacks exactly its required fields, the title and, when the type
// needs one, the body.
func TestMissingRequiredFields(t *testing.T) {
	t.Parallel()
	for _, ct := range cms.ContentTypes() {
		t.Run(ct.Name, func(t *testing.T) {
			t.Parallel()
			want := []string{"title"}
			if ct.BodyRequired {
				want = append(want, "body")
			}
			for _, f := range ct.Fields {
				if f.Required {
					want = append(want, "fields."+f.Name)
				}
			}
			slices.Sort(want)
			if got := fieldPaths(ct.Missing(&cms.Revision{})); !slices.Equal(got, want) {
				t.Errorf("Missing(empty) = %q, want %q", got, want)
			}
		})
	}
}

func hashedRevision() cms.Revision {
	return cms.Revision{
		Action:     cms.ActionPublish,
		Title:      "住房公积金缴存登记",
		Body:       "单位为职工办理**缴存登记**。",
		BodyFormat: cms.FormatMarkdown,
		Fields:     completeGuide(),
		PublishAt:  time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC),
	}
}

var hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// TestRevisionHashChanges checks that the hash covers every part of the
// content and nothing about the revision's place in the workflow.
func TestRevisionHashChanges(t *testing.T) {
	t.Parallel()
	base := hashedRevision()
	baseHash := base.Hash()
	if !hexSHA256.MatchString(baseHash) {
		t.Fatalf("Hash = %q, want 64 hex digits", baseHash)
	}
	tests := []struct {
		name    string
		change  func(r *cms.Revision)
		changed bool
	}{
		{"title", func(r *cms.Revision) { r.Title += "！" }, true},
		{"body", func(r *cms.Revision) { r.Body += " " }, true},
		{"body format", func(r *cms.Revision) { r.BodyFormat = cms.FormatHTML }, true},
		{"action", func(r *cms.Revision) { r.Action = cms.ActionUnpublish }, true},
		{"top-level field", func(r *cms.Revision) { r.Fields["place"] = "中心大厅" }, true},
		{"added field", func(r *cms.Revision) { r.Fields["fees"] = "不收费" }, true},
		{"removed field", func(r *cms.Revision) { delete(r.Fields, "place") }, true},
		{"nested field", func(r *cms.Revision) {
			r.Fields["materials"] = []any{map[string]any{"name": "营业执照", "form": "copy", "copies": json.Number("3")}}
		}, true},
		{"publish_at", func(r *cms.Revision) { r.PublishAt = r.PublishAt.Add(time.Second) }, true},
		{"publish_at cleared", func(r *cms.Revision) { r.PublishAt = time.Time{} }, true},
		{"expire_at", func(r *cms.Revision) { r.ExpireAt = r.PublishAt.Add(24 * time.Hour) }, true},
		{"publish_at same instant in another zone", func(r *cms.Revision) {
			r.PublishAt = r.PublishAt.In(time.FixedZone("CST", 8*3600))
		}, false},
		{"workflow bookkeeping", func(r *cms.Revision) {
			r.ID, r.ItemID, r.Number, r.Version, r.AuthorID = 7, 8, 9, 10, 11
			r.State = cms.StatePublished
			r.CreatedAt, r.UpdatedAt = time.Now(), time.Now()
			r.ContentHash = "x"
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := hashedRevision()
			tt.change(&r)
			if got := r.Hash(); (got != baseHash) != tt.changed {
				t.Errorf("hash changed = %v, want %v", got != baseHash, tt.changed)
			}
		})
	}
}

// TestRevisionHashStable checks that equal content hashes equally however
// its maps were built.
func TestRevisionHashStable(t *testing.T) {
	t.Parallel()
	keys := []string{"conditions", "materials", "steps", "time_limit", "place", "fees", "legal_basis", "contact_phone"}
	values := map[string]any{"conditions": []any{"a"}, "materials": []any{map[string]any{"name": "n", "note": "m", "form": "copy"}},
		"steps": []any{map[string]any{"title": "t", "description": "d"}}, "time_limit": "1天", "place": "窗口", "fees": "无",
		"legal_basis": []any{"条例"}, "contact_phone": "12345"}
	build := func(order []string) cms.Revision {
		r := hashedRevision()
		r.Fields = map[string]any{}
		for _, k := range order {
			r.Fields[k] = values[k]
		}
		return r
	}
	forward := build(keys)
	reversed := slices.Clone(keys)
	slices.Reverse(reversed)
	backward := build(reversed)
	if forward.Hash() != backward.Hash() {
		t.Errorf("hash depends on insertion order")
	}
	if r := forward; r.Hash() != r.Hash() {
		t.Errorf("hash not repeatable")
	}

	empty, nilFields := hashedRevision(), hashedRevision()
	empty.Fields, nilFields.Fields = map[string]any{}, nil
	if empty.Hash() != nilFields.Hash() {
		t.Errorf("nil and empty fields hash differently")
	}
}

// TestRevisionHashJSONRoundTrip checks that normalised fields hash the same
// after the storage layer's round trip through JSON decoded with UseNumber.
func TestRevisionHashJSONRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typ    string
		fields map[string]any
	}{
		{cms.TypeGuide, completeGuide()},
		{cms.TypeOutlet, map[string]any{"address": "长江西路", "phone": "0562-1234567", "opening_hours": "周一至周五",
			"business_types": []any{"loan"}, "coordinates": map[string]any{"lat": 30.9451234, "lng": json.Number("117.8")}}},
		{cms.TypeCalculator, map[string]any{"rate_up_to_5_years": 2.85, "rate_over_5_years": json.Number("3.1"),
			"balance_multiple": "15", "max_amount": float64(1_200_000), "max_term_months": json.Number("360"),
			"retirement_age": 65.0}},
		{cms.TypeArticle, map[string]any{"summary": "<b>粗体</b> & 引号\"", "tags": []any{"一", "二"}}},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			t.Parallel()
			fields, fe := mustType(t, tt.typ).NormalizeFields(tt.fields)
			if len(fe) != 0 {
				t.Fatalf("NormalizeFields errors: %+v", fe)
			}
			before := hashedRevision()
			before.Fields = fields
			b, err := json.Marshal(fields)
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(b))
			dec.UseNumber()
			var stored map[string]any
			if err := dec.Decode(&stored); err != nil {
				t.Fatal(err)
			}
			after := hashedRevision()
			after.Fields = stored
			if before.Hash() != after.Hash() {
				t.Errorf("hash changed over the JSON round trip: %s", b)
			}
		})
	}
}

// TestCursorRoundTrip checks that DecodeCursor reads what EncodeCursor makes.
func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	for _, id := range []int64{0, 1, 42, 1 << 40, math.MaxInt64} {
		c := cms.EncodeCursor(id)
		got, err := cms.DecodeCursor("before", c)
		if err != nil || got != id {
			t.Errorf("DecodeCursor(EncodeCursor(%d) = %q) = %d, %v", id, c, got, err)
		}
	}
	if c := cms.EncodeCursor(0); c != "" {
		t.Errorf("EncodeCursor(0) = %q, want empty", c)
	}
	if a, b := cms.EncodeCursor(1), cms.EncodeCursor(2); a == b {
		t.Errorf("cursors of 1 and 2 are both %q", a)
	}
}

// TestDecodeCursorRefuses checks that only cursors the API issued are accepted.
func TestDecodeCursorRefuses(t *testing.T) {
	t.Parallel()
	raw := base64.RawURLEncoding.EncodeToString
	tests := []struct {
		name   string
		cursor string
	}{
		{"not base64", "!!!not-a-cursor"},
		{"padded base64", base64.URLEncoding.EncodeToString([]byte("i:12"))},
		{"negative id", raw([]byte("i:-5"))},
		{"zero id", raw([]byte("i:0"))},
		{"other base64", raw([]byte("hello"))},
		{"other prefix", raw([]byte("x:12"))},
		{"no id", raw([]byte("i:"))},
		{"id with text", raw([]byte("i:12abc"))},
		{"id overflow", raw([]byte("i:9223372036854775808"))},
		{"plain number", "12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id, err := cms.DecodeCursor("before", tt.cursor)
			if err == nil {
				t.Fatalf("DecodeCursor(%q) = %d, nil; want an error", tt.cursor, id)
			}
			if id != 0 {
				t.Errorf("id = %d, want 0", id)
			}
			if code := cms.ErrorCode(err); code != cms.EINVALID {
				t.Errorf("ErrorCode = %q, want %q", code, cms.EINVALID)
			}
			var e *cms.Error
			if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "before" {
				t.Errorf("error = %#v, want one field error on before", err)
			}
		})
	}
}

// TestStates checks the workflow state helpers.
func TestStates(t *testing.T) {
	t.Parallel()
	inFlight := map[cms.State]bool{cms.StateDraft: true, cms.StateDeptReview: true, cms.StateLeadershipSignoff: true,
		cms.StateSecrecyReview: true, cms.StateScheduled: true}
	for _, s := range cms.States {
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
		if s.InFlight() != inFlight[s] {
			t.Errorf("%s.InFlight() = %v", s, s.InFlight())
		}
	}
	if cms.State("deleted").Valid() || cms.State("").Valid() {
		t.Errorf("unknown state valid")
	}
}

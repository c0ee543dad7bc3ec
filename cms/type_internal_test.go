package cms

import (
	"strings"
	"testing"
)

// TestContentTypeCheck: a content type that contradicts itself is refused
// when it registers, so that a mistake in a type file stops the program at
// start rather than showing up as a bad listing or search.
func TestContentTypeCheck(t *testing.T) {
	t.Parallel()
	str := func(name string) FieldSpec { return FieldSpec{Name: name, Label: name, Kind: KindString} }
	tests := []struct {
		name string
		ct   ContentType
		want string // part of the error; "" when the type is valid
	}{
		{name: "valid", ct: ContentType{Name: "x", Label: "X", Fields: []FieldSpec{str("a"), {Name: "b", Label: "b", Kind: KindText}},
			Summary: []string{"a"}, Search: []string{"b", "a"}}},
		{name: "no label", ct: ContentType{Name: "x"}, want: "needs a name and a label"},
		{name: "already registered", ct: ContentType{Name: TypeFAQ, Label: "X"}, want: "registered twice"},
		{name: "field without label", ct: ContentType{Name: "x", Label: "X", Fields: []FieldSpec{{Name: "a", Kind: KindString}}},
			want: "needs a name and a label"},
		{name: "field declared twice", ct: ContentType{Name: "x", Label: "X", Fields: []FieldSpec{str("a"), str("a")}},
			want: "fields.a is declared twice"},
		{name: "unknown kind", ct: ContentType{Name: "x", Label: "X", Fields: []FieldSpec{{Name: "a", Label: "a", Kind: "money"}}},
			want: `unknown kind "money"`},
		{name: "enumeration without options", ct: ContentType{Name: "x", Label: "X", Fields: []FieldSpec{{Name: "a", Label: "a", Kind: KindEnum}}},
			want: "needs options"},
		{name: "set without options", ct: ContentType{Name: "x", Label: "X", Fields: []FieldSpec{{Name: "a", Label: "a", Kind: KindEnumList}}},
			want: "needs options"},
		{name: "bounds crossed", ct: ContentType{Name: "x", Label: "X", Fields: []FieldSpec{{Name: "a", Label: "a", Kind: KindInteger, Min: ptr(2), Max: ptr(1)}}},
			want: "minimum is above the maximum"},
		{name: "objects without fields", ct: ContentType{Name: "x", Label: "X", Fields: []FieldSpec{{Name: "a", Label: "a", Kind: KindObjectList}}},
			want: "needs fields"},
		{name: "mistake inside objects", ct: ContentType{Name: "x", Label: "X", Fields: []FieldSpec{{Name: "a", Label: "a", Kind: KindObjectList,
			Fields: []FieldSpec{str("b"), str("b")}}}}, want: "fields.a: a.b is declared twice"},
		{name: "summary of no field", ct: ContentType{Name: "x", Label: "X", Fields: []FieldSpec{str("a")}, Summary: []string{"b"}},
			want: "summary field b is not a field"},
		{name: "search over a list", ct: ContentType{Name: "x", Label: "X", Fields: []FieldSpec{{Name: "a", Label: "a", Kind: KindStringList}},
			Search: []string{"a"}}, want: "search field a is not a string or text field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.ct.check()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("check() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("check() = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

// TestRegisterPanics: registering a bad type stops the program.
func TestRegisterPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("register accepted a type without a label")
		}
	}()
	register(&ContentType{Name: "broken"})
}

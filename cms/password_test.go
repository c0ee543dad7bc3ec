package cms_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/tlhpf/cms/cms"
)

// TestCheckPassword checks the strength rules: length in characters, three
// of four character classes, no username, valid UTF-8.
func TestCheckPassword(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		username string
		password string
		ok       bool
	}{
		{"four classes", "zhang.wei", "Abcdef123!", true},
		{"lower digit other", "zhang.wei", "abcdefg12!", true},
		{"upper lower digit", "zhang.wei", "Abcdefgh12", true},
		{"upper digit other", "zhang.wei", "ABCDEFG12!", true},
		{"no username given", "", "Admin12345", true},
		{"non-ASCII counts as other", "zhang.wei", "住房公积金abc12", true},
		{"length in characters not bytes", "zhang.wei", "Àé1àéîõüÕÜ", true},
		{"maximum length", "zhang.wei", "Aa1" + strings.Repeat("x", cms.PasswordMaxLength-3), true},
		{"empty", "zhang.wei", "", false},
		{"nine characters", "zhang.wei", "Abcdef12!", false},
		{"nine characters of two bytes", "zhang.wei", "Àé1àéîõüÕ", false},
		{"too long", "zhang.wei", "Aa1" + strings.Repeat("x", cms.PasswordMaxLength-2), false},
		{"lower and digits only", "zhang.wei", "abcdefgh1234", false},
		{"upper and other only", "zhang.wei", "ABCDEFGH!!!!", false},
		{"one class", "zhang.wei", "aaaaaaaaaaaaaaaa", false},
		{"contains username", "zhang.wei", "xZhang.wei12!", false},
		{"contains username in other case", "Admin", "myADMIN-pass9", false},
		{"is the username", "Zhang.Wei.2024", "zhang.wei.2024", false},
		{"invalid UTF-8", "zhang.wei", "Abcdef123!\xff", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := cms.CheckPassword("new_password", tt.username, tt.password)
			if tt.ok {
				if err != nil {
					t.Fatalf("CheckPassword(%q, %q) = %v, want nil", tt.username, tt.password, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckPassword(%q, %q) = nil, want an error", tt.username, tt.password)
			}
			if code := cms.ErrorCode(err); code != cms.EINVALID {
				t.Errorf("ErrorCode = %q, want %q", code, cms.EINVALID)
			}
			var e *cms.Error
			if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "new_password" || e.Fields[0].Message == "" {
				t.Errorf("error = %#v, want one field error on new_password", err)
			}
		})
	}
}

// TestGeneratePassword checks that generated passwords pass CheckPassword,
// have the asked length and do not repeat.
func TestGeneratePassword(t *testing.T) {
	t.Parallel()
	for _, n := range []int{cms.PasswordMinLength, 12, 16, 32} {
		pw, err := cms.GeneratePassword(n)
		if err != nil {
			t.Fatalf("GeneratePassword(%d): %v", n, err)
		}
		if len([]rune(pw)) != n {
			t.Errorf("GeneratePassword(%d) = %q, %d characters", n, pw, len([]rune(pw)))
		}
		if err := cms.CheckPassword("password", "admin", pw); err != nil {
			t.Errorf("GeneratePassword(%d) = %q fails CheckPassword: %v", n, pw, err)
		}
	}

	seen := map[string]bool{}
	for range 100 {
		pw, err := cms.GeneratePassword(16)
		if err != nil {
			t.Fatal(err)
		}
		if seen[pw] {
			t.Fatalf("GeneratePassword repeated %q", pw)
		}
		seen[pw] = true
		if err := cms.CheckPassword("password", "", pw); err != nil {
			t.Errorf("%q fails CheckPassword: %v", pw, err)
		}
	}
}

// TestGeneratePasswordTooShort checks that a length CheckPassword refuses
// gives an error rather than a weak password.
func TestGeneratePasswordTooShort(t *testing.T) {
	t.Parallel()
	if pw, err := cms.GeneratePassword(cms.PasswordMinLength - 1); err == nil {
		t.Errorf("GeneratePassword(%d) = %q, nil; want an error", cms.PasswordMinLength-1, pw)
	}
}

// fakeStrength scores by whether the password contains a user input.
type fakeStrength struct{ inputs []string }

func (f *fakeStrength) Score(pw string, in []string) int {
	f.inputs = in
	for _, w := range in {
		if len(w) > 2 && strings.Contains(strings.ToLower(pw), w) {
			return 1
		}
	}
	return 4
}

// TestPasswordPolicy: the character rules come first; then the strength
// estimate, told the account's names and their parts.
func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	f := &fakeStrength{}
	p := &cms.PasswordPolicy{Strength: f, MinScore: cms.DefaultMinScore}
	if err := p.Check("password", "zhang.wei", "张伟", "short"); cms.ErrorCode(err) != cms.EINVALID {
		t.Errorf("short password: %v", err)
	}
	if err := p.Check("password", "zhang.wei", "Zhang Wei", "Zhangwei2024!"); cms.ErrorCode(err) != cms.EINVALID {
		t.Errorf("name-based password: %v", err)
	}
	for _, w := range []string{"zhang.wei", "zhangwei", "zhang", "wei", "zhang wei", "公积金"} {
		if !slices.Contains(f.inputs, w) {
			t.Errorf("user inputs %q lack %q", f.inputs, w)
		}
	}
	if err := p.Check("password", "zhang.wei", "", "Unrelated-Oak-77"); err != nil {
		t.Errorf("strong password: %v", err)
	}
	var none *cms.PasswordPolicy
	if err := none.Check("password", "x", "", "Unrelated-Oak-77"); err != nil {
		t.Errorf("no policy: %v", err)
	}
}

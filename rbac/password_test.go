package rbac_test

import (
	"strings"
	"testing"

	"github.com/tlhpf/cms/rbac"
)

// cheap are argon2 costs small enough for tests.
var cheap = rbac.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}

// mustHash hashes password with params or stops the test.
func mustHash(tb testing.TB, params rbac.Argon2Params, password string) string {
	tb.Helper()
	h, err := rbac.Hasher{Params: params}.Hash(password)
	if err != nil {
		tb.Fatalf("Hash: %v", err)
	}
	return h
}

// TestHasherVerify checks hashing and verifying with the right and wrong
// passwords.
func TestHasherVerify(t *testing.T) {
	t.Parallel()
	h := rbac.Hasher{Params: cheap}
	tests := []struct {
		name     string
		password string
		attempt  string
		want     bool
	}{
		{"same password", "Correct-Horse-9", "Correct-Horse-9", true},
		{"non-ASCII password", "住房公积金Aa1!", "住房公积金Aa1!", true},
		{"empty password", "", "", true},
		{"wrong password", "Correct-Horse-9", "Correct-Horse-8", false},
		{"other case", "Correct-Horse-9", "correct-horse-9", false},
		{"prefix", "Correct-Horse-9", "Correct-Horse-", false},
		{"longer", "Correct-Horse-9", "Correct-Horse-99", false},
		{"empty attempt", "Correct-Horse-9", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hash := mustHash(t, cheap, tt.password)
			if !strings.HasPrefix(hash, "$argon2id$v=19$m=1024,t=1,p=1$") {
				t.Errorf("hash = %q, want the argon2id PHC form with its parameters", hash)
			}
			if strings.Contains(hash, tt.password) && tt.password != "" {
				t.Errorf("hash %q contains the password", hash)
			}
			ok, err := h.Verify(tt.attempt, hash)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if ok != tt.want {
				t.Errorf("Verify(%q) = %v, want %v", tt.attempt, ok, tt.want)
			}
		})
	}
}

// TestHasherSalt checks that two hashes of one password differ.
func TestHasherSalt(t *testing.T) {
	t.Parallel()
	a, b := mustHash(t, cheap, "Correct-Horse-9"), mustHash(t, cheap, "Correct-Horse-9")
	if a == b {
		t.Fatalf("two hashes of the same password are both %q", a)
	}
	saltOf := func(h string) string { return strings.Split(h, "$")[4] }
	if saltOf(a) == saltOf(b) {
		t.Errorf("two hashes share the salt %q", saltOf(a))
	}
}

// TestHasherParamsFromHash checks that a hash verifies whatever the
// hasher's own parameters, since they are read from the hash.
func TestHasherParamsFromHash(t *testing.T) {
	t.Parallel()
	other := rbac.Argon2Params{MemoryKiB: 2048, Time: 2, Threads: 2}
	tests := []struct {
		name     string
		hashWith rbac.Argon2Params
		verifier rbac.Argon2Params
	}{
		{"stronger hash, cheap verifier", other, cheap},
		{"cheap hash, stronger verifier", cheap, other},
		{"zero verifier", other, rbac.Argon2Params{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hash := mustHash(t, tt.hashWith, "Correct-Horse-9")
			v := rbac.Hasher{Params: tt.verifier}
			if ok, err := v.Verify("Correct-Horse-9", hash); !ok || err != nil {
				t.Errorf("Verify(right) = %v, %v; want true, nil", ok, err)
			}
			if ok, err := v.Verify("Correct-Horse-8", hash); ok || err != nil {
				t.Errorf("Verify(wrong) = %v, %v; want false, nil", ok, err)
			}
		})
	}
	if h := mustHash(t, other, "x"); !strings.Contains(h, "$m=2048,t=2,p=2$") {
		t.Errorf("hash %q does not record its parameters", h)
	}
}

// TestHasherMalformed checks that hashes not in the expected form are
// errors, not mismatches.
func TestHasherMalformed(t *testing.T) {
	t.Parallel()
	good := mustHash(t, cheap, "Correct-Horse-9")
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=…, salt, key
	with := func(i int, s string) string {
		p := append([]string(nil), parts...)
		p[i] = s
		return strings.Join(p, "$")
	}
	tests := []struct {
		name string
		hash string
	}{
		{"empty", ""},
		{"not PHC", "Correct-Horse-9"},
		{"argon2i", with(1, "argon2i")},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"too few parts", strings.Join(parts[:5], "$")},
		{"too many parts", good + "$extra"},
		{"other version", with(2, "v=16")},
		{"no version", with(2, "19")},
		{"bad params", with(3, "m=1024;t=1;p=1")},
		{"threads overflow", with(3, "m=1024,t=1,p=256")},
		{"negative memory", with(3, "m=-1,t=1,p=1")},
		{"bad base64 salt", with(4, "!!!!")},
		{"padded base64 key", with(5, parts[5]+"=")},
		{"bad base64 key", with(5, "not*base64")},
		{"empty key", with(5, "")},
	}
	h := rbac.Hasher{Params: cheap}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, err := h.Verify("Correct-Horse-9", tt.hash)
			if err == nil || ok {
				t.Errorf("Verify(%q) = %v, %v; want false and an error", tt.hash, ok, err)
			}
		})
	}
}

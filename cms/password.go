package cms

import (
	"crypto/rand"
	"errors"
	"math/big"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Password strength limits. The seed rules ask for strong passwords changed
// at least every three months; the age is enforced by AuthService.
const (
	PasswordMinLength = 10
	PasswordMaxLength = 256
)

// CheckPassword returns a validation error on field when password is too weak
// for username: shorter than PasswordMinLength, fewer than three of the four
// character classes (lower, upper, digit, other), or containing the username.
func CheckPassword(field, username, password string) error {
	var fe FieldErrors
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		fe.Add(field, "must be valid UTF-8")
	case n < PasswordMinLength:
		fe.Add(field, "must be at least %d characters", PasswordMinLength)
	case n > PasswordMaxLength:
		fe.Add(field, "must be at most %d characters", PasswordMaxLength)
	case passwordClasses(password) < 3:
		fe.Add(field, "must mix at least three of: lower-case letters, upper-case letters, digits, other characters")
	case username != "" && strings.Contains(strings.ToLower(password), strings.ToLower(username)):
		fe.Add(field, "must not contain the username")
	}
	return fe.Err("password too weak")
}

func passwordClasses(pw string) int {
	var lower, upper, digit, other bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	n := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			n++
		}
	}
	return n
}

// GeneratePassword returns a random password of n characters that passes CheckPassword.
func GeneratePassword(n int) (string, error) {
	const (
		lower  = "abcdefghijkmnopqrstuvwxyz"
		upper  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		digits = "23456789"
		other  = "-_.!@#%+="
	)
	sets := []string{lower, upper, digits, other}
	all := strings.Join(sets, "")
	for range 100 {
		b := make([]byte, n)
		for i := range b {
			set := all
			if i < len(sets) {
				set = sets[i]
			}
			k, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
			if err != nil {
				return "", err
			}
			b[i] = set[k.Int64()]
		}
		// Shuffle so the class order of the first characters is not fixed.
		for i := len(b) - 1; i > 0; i-- {
			k, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
			if err != nil {
				return "", err
			}
			j := k.Int64()
			b[i], b[j] = b[j], b[i]
		}
		if pw := string(b); CheckPassword("password", "admin", pw) == nil {
			return pw, nil
		}
	}
	return "", errors.New("could not generate a password")
}

// PasswordHistoryLength is how many of an account's passwords (the current
// one included) a new password must differ from.
const PasswordHistoryLength = 5

// PasswordPolicy is the full check of a new password: the character rules
// of CheckPassword, then a guessability estimate that knows the owner's
// names, so that Password123 and Zhangwei2024! are refused.
type PasswordPolicy struct {
	Strength PasswordStrength // nil: the character rules only
	MinScore int              // the lowest acceptable Strength score
}

// DefaultMinScore is zxcvbn's "safely unguessable" level: beyond 10^10
// guesses, out of reach of an online attack and costly offline.
const DefaultMinScore = 3

// Check returns a validation error on field when password is not good
// enough for the account of username and displayName.
func (p *PasswordPolicy) Check(field, username, displayName, password string) error {
	if err := CheckPassword(field, username, password); err != nil {
		return err
	}
	if p == nil || p.Strength == nil {
		return nil
	}
	if p.Strength.Score(password, passwordUserInputs(username, displayName)) < p.MinScore {
		return Invalid("password too weak", FieldError{Field: field,
			Message: "is too easy to guess (a common password, or built from your name, a word, a date or a keyboard pattern); use a longer passphrase"})
	}
	return nil
}

// passwordUserInputs are the words a guesser would try first: the
// account's names, their parts and the centre's own words.
func passwordUserInputs(username, displayName string) []string {
	in := []string{"tongling", "tlhpf", "gongjijin", "gjj", "cms", "铜陵", "公积金"}
	for _, name := range []string{username, displayName} {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		parts := strings.FieldsFunc(name, func(r rune) bool { return r == '.' || r == '_' || r == '-' || unicode.IsSpace(r) })
		in = append(in, name, strings.Join(parts, ""))
		in = append(in, parts...)
	}
	return in
}

package cms

import (
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

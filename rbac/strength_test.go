package rbac_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tlhpf/cms/rbac"
)

func TestStrength(t *testing.T) {
	t.Parallel()
	var s rbac.Strength
	for pw, weak := range map[string]bool{
		"Password123": true, "P@ssw0rd1234": true, "Qwerty123456": true,
		"Str0ng-Passw0rd!": false, "correct horse battery staple": false,
	} {
		if got := s.Score(pw, nil) < 3; got != weak {
			t.Errorf("Score(%q) = %d", pw, s.Score(pw, nil))
		}
	}
	if s.Score("Liming2024!", []string{"li.ming", "liming"}) >= 3 {
		t.Error("a password made of the username scores as strong")
	}
	long := strings.Repeat("x7#Qz!9pL", 28) // 252 characters
	start := time.Now()
	s.Score(long, nil)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("scoring a long password took %v", d)
	}
}

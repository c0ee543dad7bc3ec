package rbac

import (
	"github.com/trustelem/zxcvbn"

	"github.com/tlhpf/cms/cms"
)

// Strength estimates guessability with zxcvbn (github.com/trustelem/zxcvbn).
type Strength struct{}

var _ cms.PasswordStrength = Strength{}

// strengthRunes bounds what zxcvbn looks at: its matching grows steeply
// with length (a random 100-character password takes a quarter of a
// second), and a prefix this long that is easy to guess makes a weak
// password however it goes on.
const strengthRunes = 40

// Score returns zxcvbn's score (0-4) of the first strengthRunes characters
// of password, with userInputs added to its dictionaries.
func (Strength) Score(password string, userInputs []string) int {
	if r := []rune(password); len(r) > strengthRunes {
		password = string(r[:strengthRunes])
	}
	return zxcvbn.PasswordStrength(password, userInputs).Score
}

package cms

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// KindDecimal is a non-negative decimal number, kept exact as a string.
const KindDecimal FieldKind = "decimal"

// decimalPattern also guards the amounts of the loan calculator.
var decimalPattern = regexp.MustCompile(`^(0|[1-9][0-9]{0,14})(\.[0-9]{1,8})?$`)

// decimalField is a rate or a ratio: written as a JSON number or string,
// kept as the exact decimal string so that no digit is lost to floats.
type decimalField struct{ servedAsStored }

func (decimalField) checkSpec(f *FieldSpec) error { return checkBounds(f) }

func (decimalField) normalize(f *FieldSpec, path string, v any, fe *FieldErrors) any {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = strings.TrimSpace(x)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		fe.Add(path, "must be a decimal number")
		return nil
	}
	if !decimalPattern.MatchString(s) {
		fe.Add(path, "must be a non-negative decimal number with at most 8 decimal places")
		return nil
	}
	x, _ := strconv.ParseFloat(s, 64)
	if !f.inRange(path, x, fe) {
		return nil
	}
	return s
}

package cms

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
)

// KindInteger is a whole number between the field's Min and Max.
const KindInteger FieldKind = "integer"

// integerField is a whole number, kept as int64.
type integerField struct{ servedAsStored }

func (integerField) checkSpec(f *FieldSpec) error { return checkBounds(f) }

func (integerField) normalize(f *FieldSpec, path string, v any, fe *FieldErrors) any {
	var n int64
	var err error
	switch x := v.(type) {
	case json.Number:
		n, err = x.Int64()
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			err = errors.New("not an integer")
		}
		n = int64(x)
	case int64:
		n = x
	case int:
		n = int64(x)
	default:
		err = errors.New("not a number")
	}
	if err != nil {
		fe.Add(path, "must be an integer")
		return nil
	}
	if !f.inRange(path, float64(n), fe) {
		return nil
	}
	return n
}

// checkBounds refuses a minimum above the maximum.
func checkBounds(f *FieldSpec) error {
	if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
		return errors.New("the minimum is above the maximum")
	}
	return nil
}

// inRange checks x against the field's bounds.
func (f *FieldSpec) inRange(path string, x float64, fe *FieldErrors) bool {
	if f.Min != nil && x < *f.Min {
		fe.Add(path, "must be at least %s", strconv.FormatFloat(*f.Min, 'f', -1, 64))
		return false
	}
	if f.Max != nil && x > *f.Max {
		fe.Add(path, "must be at most %s", strconv.FormatFloat(*f.Max, 'f', -1, 64))
		return false
	}
	return true
}

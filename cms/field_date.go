package cms

import "time"

// KindDate is a calendar date written YYYY-MM-DD.
const KindDate FieldKind = "date"

// dateField is a calendar date, kept as its YYYY-MM-DD string.
type dateField struct{ servedAsStored }

func (dateField) normalize(_ *FieldSpec, path string, v any, fe *FieldErrors) any {
	s, ok := v.(string)
	if _, err := time.Parse(time.DateOnly, s); !ok || err != nil {
		fe.Add(path, "must be a date as YYYY-MM-DD")
		return nil
	}
	return s
}

package cms

import "net/url"

// KindURL is an absolute http or https URL.
const KindURL FieldKind = "url"

// urlField is a link clients open, such as a download.
type urlField struct{ servedAsStored }

func (urlField) normalize(_ *FieldSpec, path string, v any, fe *FieldErrors) any {
	s, ok := v.(string)
	u, err := url.Parse(s)
	if !ok || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s) > 2000 {
		fe.Add(path, "must be an absolute http or https URL")
		return nil
	}
	return s
}

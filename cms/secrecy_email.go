package cms

import "strings"

// emails reports every address around an @, masking all of the local part
// but its first character.
func (s *secrecyScanner) emails() {
	for i, c := range s.r {
		if c != '@' {
			continue
		}
		start, end := i, i+1
		for start > 0 && (s.alnum(start-1) || strings.ContainsRune("._%+-", s.r[start-1])) {
			start--
		}
		for start < i && s.r[start] == '.' {
			start++
		}
		for s.alnum(end) || s.at(end) == '.' || s.at(end) == '-' {
			end++
		}
		for end > i+1 && (s.r[end-1] == '.' || s.r[end-1] == '-') {
			end--
		}
		local, domain := string(s.r[start:i]), string(s.r[i+1:end])
		if validEmail(local, domain) {
			s.add(FindingEmail, SeverityWarning, start, end, strings.ToLower(local+"@"+domain),
				local[:1]+strings.Repeat("*", len(local)-1)+"@"+domain)
		}
	}
}

// fileExtensions end names like logo@2x.png that look like addresses.
var fileExtensions = map[string]bool{"png": true, "jpg": true, "jpeg": true, "gif": true, "svg": true, "webp": true,
	"bmp": true, "pdf": true, "doc": true, "docx": true, "xls": true, "xlsx": true, "ppt": true, "pptx": true,
	"txt": true, "zip": true, "rar": true, "wps": true, "ofd": true, "mp4": true}

func validEmail(local, domain string) bool {
	labels := strings.Split(domain, ".")
	tld := strings.ToLower(labels[len(labels)-1])
	if local == "" || strings.Contains(local, "..") || strings.HasSuffix(local, ".") || len(labels) < 2 ||
		len(tld) < 2 || strings.Trim(tld, "abcdefghijklmnopqrstuvwxyz") != "" || fileExtensions[tld] {
		return false
	}
	for _, l := range labels {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
	}
	return true
}

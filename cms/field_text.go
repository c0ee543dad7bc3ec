package cms

// KindText is Markdown over several lines.
const KindText FieldKind = "text"

// defaultTextMax is the length of a text, in characters, when its field
// sets no MaxLen.
const defaultTextMax = 100_000

// textField is Markdown: stored as written, served as sanitised HTML.
type textField struct{}

func (textField) checkSpec(*FieldSpec) error { return nil }

func (textField) normalize(f *FieldSpec, path string, v any, fe *FieldErrors) any {
	return checkString(f, path, v, defaultTextMax, false, fe)
}

func (textField) render(_ *FieldSpec, v any, r Renderer) any {
	if s, ok := v.(string); ok {
		return r.HTML(s, FormatMarkdown)
	}
	return v
}

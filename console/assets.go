package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// asset is an embedded file served under a name that carries its hash,
// so that it can be cached for good and a new build is fetched at once.
type asset struct {
	name        string // hashed name, e.g. console.1a2b3c4d5e6f.css
	contentType string
	body        []byte
	etag        string
}

// assets are the embedded files by logical and by hashed name.
type assets struct {
	byName   map[string]*asset // logical name → asset
	byHashed map[string]*asset
}

func loadAssets() (*assets, error) {
	as := &assets{byName: map[string]*asset{}, byHashed: map[string]*asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		name := path.Base(p)
		ext := path.Ext(name)
		a := &asset{name: strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext,
			contentType: mime.TypeByExtension(ext), body: body, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
		if a.contentType == "" {
			a.contentType = "application/octet-stream"
		}
		as.byName[name], as.byHashed[a.name] = a, a
		return nil
	})
	return as, err
}

// url returns the address of an asset by its logical name. A template
// naming an asset that does not exist fails when it is parsed, at start.
func (as *assets) url(name string) (string, error) {
	a, ok := as.byName[name]
	if !ok {
		return "", fmt.Errorf("console: no asset %q", name)
	}
	return Prefix + "static/" + a.name, nil
}

// serve answers GET /console/static/{name} with immutable caching.
func (as *assets) serve(w http.ResponseWriter, r *http.Request) {
	a, ok := as.byHashed[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", a.etag)
	http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.body))
}

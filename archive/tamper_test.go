package archive_test

import (
	"archive/zip"
	"bytes"
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tlhpf/cms/archive"
	"github.com/tlhpf/cms/cms"
)

// flip changes one byte in the middle of a file.
func flip(name string) func(bagEntries) bagEntries {
	return func(es bagEntries) bagEntries {
		for i := range es {
			if es[i].name == name {
				body := bytes.Clone(es[i].body)
				body[len(body)/2] ^= 0x01
				es[i].body = body
				return es
			}
		}
		panic("no " + name + " in the bag")
	}
}

func TestVerifyReportsTampering(t *testing.T) {
	f := newFixture()
	clean, _ := mustExport(t, f.w.src)
	photo := "data/attachments/" + f.photo.Key
	tests := []struct {
		name   string
		change func(bagEntries) bagEntries
		want   []string // each must be in some problem
	}{
		{"revision changed", flip("data/items/2/revisions/2.json"), []string{"data/items/2/revisions/2.json: changed"}},
		{"attachment changed", flip(photo), []string{photo + ": changed", photo + ": its bytes do not hash to its name"}},
		{"audit log changed", flip("data/audit/audit-log.jsonl"), []string{"data/audit/audit-log.jsonl: changed"}},
		{"item changed", flip("data/items/3/item.json"), []string{"data/items/3/item.json: changed"}},
		{"approval form changed", flip("data/items/2/approval-2.html"), []string{"data/items/2/approval-2.html: changed"}},
		{"two files changed", func(es bagEntries) bagEntries {
			return flip("data/items/4/history.json")(flip("data/items/2/revisions/1.json")(es))
		}, []string{"data/items/4/history.json: changed", "data/items/2/revisions/1.json: changed"}},
		{"file removed", func(es bagEntries) bagEntries {
			return slices.DeleteFunc(es, func(e bagEntry) bool { return e.name == "data/items/3/history.json" })
		}, []string{"data/items/3/history.json: listed in manifest-sha256.txt but missing", "Payload-Oxum"}},
		{"attachment removed with its manifest line", func(es bagEntries) bagEntries {
			es = slices.DeleteFunc(es, func(e bagEntry) bool { return e.name == photo })
			return edit(es, "manifest-sha256.txt", func(s string) string {
				return regexp.MustCompile(`(?m)^.*`+f.photo.Key+`\n`).ReplaceAllString(s, "")
			})
		}, []string{"data/items/2/revisions/1.json: refers to " + photo + ", which is not in the bag", "manifest-sha256.txt: changed"}},
		{"file added", func(es bagEntries) bagEntries {
			return append(es, bagEntry{name: "data/items/2/note.txt", method: zip.Deflate, body: []byte("补充说明")})
		}, []string{"data/items/2/note.txt: not listed in manifest-sha256.txt", "Payload-Oxum"}},
		{"audit log removed with its manifest line", func(es bagEntries) bagEntries {
			es = slices.DeleteFunc(es, func(e bagEntry) bool { return e.name == "data/audit/audit-log.jsonl" })
			return edit(es, "manifest-sha256.txt", func(s string) string {
				return regexp.MustCompile(`(?m)^.*audit-log.jsonl\n`).ReplaceAllString(s, "")
			})
		}, []string{"data/audit/audit-log.jsonl: missing"}},
		{"tag file added", func(es bagEntries) bagEntries {
			return append(es, bagEntry{name: "extra.txt", method: zip.Deflate, body: []byte("x")})
		}, []string{"extra.txt: not listed in tagmanifest-sha256.txt"}},
		{"Payload-Oxum wrong", func(es bagEntries) bagEntries {
			return edit(es, "bag-info.txt", func(s string) string {
				return regexp.MustCompile(`Payload-Oxum: \d+\.\d+`).ReplaceAllString(s, "Payload-Oxum: 1024.3")
			})
		}, []string{"bag-info.txt: Payload-Oxum is 1024.3 but the payload holds", "bag-info.txt: changed"}},
		{"audit end edited", func(es bagEntries) bagEntries {
			return edit(es, "bag-info.txt", func(s string) string {
				return regexp.MustCompile(`Audit-Chain-End: \w+`).ReplaceAllString(s, "Audit-Chain-End: "+cms.AuditGenesis)
			})
		}, []string{"Audit-Chain-End", "bag-info.txt: changed"}},
		{"manifest line edited", func(es bagEntries) bagEntries {
			return edit(es, "manifest-sha256.txt", func(s string) string {
				return strings.Replace(s, "data/items/2/item.json", "data/items/2/item.jsn", 1)
			})
		}, []string{"data/items/2/item.json: not listed", "data/items/2/item.jsn: listed in manifest-sha256.txt but missing",
			"manifest-sha256.txt: changed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := mustVerify(t, tt.change(entries(t, clean)).zip(t))
			if rep.OK() {
				t.Fatal("Verify found nothing wrong")
			}
			for _, want := range tt.want {
				if !slices.ContainsFunc(rep.Problems, func(p string) bool { return strings.Contains(p, want) }) {
					t.Errorf("no problem says %q; problems:\n%s", want, strings.Join(rep.Problems, "\n"))
				}
			}
		})
	}
}

// edit rewrites a text file of the bag.
func edit(es bagEntries, name string, change func(string) string) bagEntries {
	for i := range es {
		if es[i].name == name {
			es[i].body = []byte(change(string(es[i].body)))
		}
	}
	return es
}

// TestVerifyReportsDamagedZip flips a byte of the ZIP itself, where the
// entry's CRC catches it before the manifest does.
func TestVerifyReportsDamagedZip(t *testing.T) {
	f := newFixture()
	data, _ := mustExport(t, f.w.src)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	name := "data/attachments/" + f.photo.Key // stored, not deflated
	for _, zf := range zr.File {
		if zf.Name == root+name {
			off, err := zf.DataOffset()
			if err != nil {
				t.Fatal(err)
			}
			data[off+int64(zf.CompressedSize64/2)] ^= 0x01
		}
	}
	rep := mustVerify(t, data)
	if len(rep.Problems) == 0 || !strings.HasPrefix(rep.Problems[0], name+": ") {
		t.Errorf("problems %q, want one naming %s", rep.Problems, name)
	}
}

func TestVerifyReportsAuditTampering(t *testing.T) {
	tests := []struct {
		name   string
		change func(src *fakeSource) int64 // returns the seq to blame
		want   string
	}{
		{"entry edited after it was chained", func(src *fakeSource) int64 {
			i := auditIndex(src, "同意更正")
			src.audit[i].Detail = strings.Replace(src.audit[i].Detail, "同意更正", "不同意", 1)
			return src.audit[i].Seq
		}, "entry seq %d: content does not match its hash"},
		{"entry removed", func(src *fakeSource) int64 {
			i := auditIndex(src, "同意更正")
			src.audit = slices.Delete(src.audit, i, i+1)
			return src.audit[i].Seq
		}, "entry seq %d follows seq"},
		{"entry time moved", func(src *fakeSource) int64 {
			i := auditIndex(src, "已补充文号")
			src.audit[i].At = src.audit[i].At.Add(-1e3)
			return src.audit[i].Seq
		}, "entry seq %d: content does not match its hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			seq := tt.change(f.w.src)
			data, _ := mustExport(t, f.w.src)
			rep := mustVerify(t, data)
			want := "data/audit/audit-log.jsonl: " + strings.Replace(tt.want, "%d", itoa(int(seq)), 1)
			if len(rep.Problems) != 1 || !strings.HasPrefix(rep.Problems[0], want) {
				t.Errorf("problems %q, want just one starting %q", rep.Problems, want)
			}
		})
	}
}

// auditIndex finds the audit entry whose detail mentions s.
func auditIndex(src *fakeSource, s string) int {
	for i, e := range src.audit {
		if strings.Contains(e.Detail, s) {
			return i
		}
	}
	panic("no audit entry mentions " + s)
}

func TestVerifyRejectsNonZip(t *testing.T) {
	data := []byte("not a zip file at all")
	if _, err := archive.Verify(bytes.NewReader(data), int64(len(data))); err == nil {
		t.Error("Verify accepted a file that is not a ZIP")
	}
}

// TestExportMarksTamperedContent: a revision whose content no longer
// hashes to the hash approved at the secrecy review (edited in the
// database after its approval) is exported as it is, named in the summary
// and marked in bag-info.txt, and the verifier reports it. The anchor the
// exporter is given goes into bag-info.txt too.
func TestExportMarksTamperedContent(t *testing.T) {
	f := newFixture()
	f.news2.Body = "## 一、调整范围\n\n全市缴存单位，上限 98,000 元。" // after approval, behind the workflow's back
	opt := options()
	opt.AuditAnchor = "at=2026-01-20T02:30:00Z seq=42 hash=" + strings.Repeat("ab", 32) + " kind=archive mac=" + strings.Repeat("cd", 32)
	var buf bytes.Buffer
	sum, err := archive.Export(context.Background(), f.w.src, &buf, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Tampered) != 1 || !strings.Contains(sum.Tampered[0], "item "+strconv.FormatInt(f.news.ID, 10)) ||
		!strings.Contains(sum.Tampered[0], "revision 2") {
		t.Fatalf("tampered %v", sum.Tampered)
	}
	info, _ := entries(t, buf.Bytes()).get("bag-info.txt")
	for _, want := range []string{"Tampered-Revisions: 1\n", "Integrity-Warning: item " + strconv.FormatInt(f.news.ID, 10), "Audit-Anchor: " + opt.AuditAnchor + "\n"} {
		if !strings.Contains(string(info), want) {
			t.Errorf("bag-info.txt lacks %q:\n%s", want, info)
		}
	}
	rep := mustVerify(t, buf.Bytes())
	if rep.OK() || !slices.ContainsFunc(rep.Problems, func(p string) bool { return strings.Contains(p, "revisions/2.json: content does not match") }) {
		t.Errorf("verify: %v", rep.Problems)
	}
	clean, sum := mustExport(t, newFixture().w.src)
	if len(sum.Tampered) != 0 || !mustVerify(t, clean).OK() {
		t.Errorf("a clean export: %v", sum.Tampered)
	}
}

// TestVerifyChecksTheApprovedHash: a revision whose content and content
// hash were both rewritten still differs from the hash approved at the
// secrecy review.
func TestVerifyChecksTheApprovedHash(t *testing.T) {
	f := newFixture()
	f.news2.Body = "## 一、调整范围\n\n全市缴存单位，上限 98,000 元。"
	f.news2.ContentHash = f.news2.Hash()
	var buf bytes.Buffer
	sum, err := archive.Export(context.Background(), f.w.src, &buf, options())
	if err != nil || len(sum.Tampered) != 1 || !strings.Contains(sum.Tampered[0], "approved") {
		t.Fatalf("tampered %v %v", sum.Tampered, err)
	}
	rep := mustVerify(t, buf.Bytes())
	if !slices.ContainsFunc(rep.Problems, func(p string) bool { return strings.Contains(p, "approved_hash") }) {
		t.Errorf("verify: %v", rep.Problems)
	}
}

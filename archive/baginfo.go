package archive

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tlhpf/cms/cms"
)

// Labels of bag-info.txt beyond those RFC 8493 reserves.
const (
	tagPeriodFrom   = "Archive-Period-From"
	tagPeriodTo     = "Archive-Period-To"
	tagChainStart   = "Audit-Chain-Start"
	tagChainEnd     = "Audit-Chain-End"
	tagAuditEntries = "Audit-Entries"
	tagPayloadOxum  = "Payload-Oxum"
	tagAuditAnchor  = "Audit-Anchor"
	tagTampered     = "Tampered-Revisions"
	tagWarning      = "Integrity-Warning"
)

// chainSegment is the part of the audit chain a bag holds.
type chainSegment struct {
	start, end string // PrevHash of the first entry, Hash of the last
	entries    int
}

// bagInfo renders bag-info.txt: the tags RFC 8493 reserves, the period and
// the audit chain's segment, the chain's anchored head, and a warning for
// each revision whose content was found tampered with.
func bagInfo(opt *Options, now time.Time, payloadBytes int64, files int, chain chainSegment, tampered []string) []byte {
	var b bytes.Buffer
	tag := func(label, value string) { fmt.Fprintf(&b, "%s: %s\n", label, value) }
	tag("Source-Organization", opt.Organization)
	tag("Bagging-Date", now.In(cms.China).Format("2006-01-02"))
	tag(tagPayloadOxum, strconv.FormatInt(payloadBytes, 10)+"."+strconv.Itoa(files))
	tag("External-Description", description(opt))
	tag("Bag-Count", "1 of 1")
	tag(tagPeriodFrom, opt.From.In(cms.China).Format(time.RFC3339))
	tag(tagPeriodTo, opt.To.In(cms.China).Format(time.RFC3339))
	tag(tagChainStart, chain.start)
	tag(tagChainEnd, chain.end)
	tag(tagAuditEntries, strconv.Itoa(chain.entries))
	if opt.AuditAnchor != "" {
		tag(tagAuditAnchor, opt.AuditAnchor)
	}
	if len(tampered) > 0 {
		tag(tagTampered, strconv.Itoa(len(tampered)))
		for _, w := range tampered {
			tag(tagWarning, w)
		}
	}
	return b.Bytes()
}

// description says in Chinese and in English what the bag holds.
func description(opt *Options) string {
	from, last := opt.From.In(cms.China), lastDay(opt.To)
	zh := fmt.Sprintf("%s %s至%s（北京时间）发布的信息：全部版本、审批流转记录、信息发布审批表、附件，及同期审计日志。",
		opt.Organization, from.Format("2006年1月2日"), last.Format("2006年1月2日"))
	en := fmt.Sprintf("Content published by %s from %s to %s inclusive (China Standard Time): every revision, its approval trail and approval forms, the attached files, and the audit log of the period.",
		opt.Organization, from.Format("2 January 2006"), last.Format("2 January 2006"))
	return zh + " " + en
}

// emptyChain is the segment of a period without audit entries. The source
// cannot say which hash the chain stood at, so both ends are the genesis.
var emptyChain = chainSegment{start: cms.AuditGenesis, end: cms.AuditGenesis}

// parseTags reads the tag lines of a tag file ("Label: value", continued on
// lines that start with white space) into a map of each label's values.
func parseTags(name string, data []byte) (map[string][]string, []string) {
	tags := map[string][]string{}
	var problems []string
	var last string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		switch label, value, ok := strings.Cut(line, ":"); {
		case line == "":
		case line[0] == ' ' || line[0] == '\t':
			if last == "" {
				problems = append(problems, fmt.Sprintf("%s line %d: continues no tag", name, n))
				continue
			}
			v := tags[last]
			v[len(v)-1] += " " + strings.TrimSpace(line)
		case !ok:
			problems = append(problems, fmt.Sprintf("%s line %d: not a \"Label: value\" line", name, n))
		default:
			last = strings.TrimSpace(label)
			tags[last] = append(tags[last], strings.TrimSpace(value))
		}
	}
	return tags, problems
}

// Command seed fills a CMS database with N published items for the content
// API benchmark (scripts/bench-content.sh). It migrates and seeds the
// structure like `cms serve` does, creates one editor account to own the
// items, then bulk-inserts items, their live revisions, the public
// projection (built, rendered and sealed with cms.Project, with the content
// API's stored documents, exactly as a publication does), the SQLite full-text index and the change log, in
// batched multi-row INSERTs. The bodies are generated Markdown in Chinese, varied per item and
// reproducible for a given N. It writes no workflow history (transitions,
// audit entries) for the items: the content API reads none.
//
//	seed -db sqlite:///tmp/x/cms.db -n 100000
//	seed -db 'postgres://cms:cms@127.0.0.1:55432/cms?sslmode=disable' -n 1000
//
// It prints, as KEY=VALUE lines on stdout, the id of a news item near the
// middle (ITEM_ID) and how many items the sample queries match, for the
// benchmark script; progress goes to stderr.
//
// For PostgreSQL, -pg-new-schema prints a URL whose search_path is a fresh
// schema in the given database, and -pg-drop-schema drops such a schema, so
// that a benchmark never touches existing data.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/tlhpf/cms/app"
	"github.com/tlhpf/cms/cms"
	"github.com/tlhpf/cms/rbac"
	"github.com/tlhpf/cms/storage"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run() error {
	dbURL := flag.String("db", "", "database URL: sqlite://PATH, a bare path, or postgres://…")
	n := flag.Int("n", 1000, "number of published items to insert")
	batch := flag.Int("batch", 1000, "rows per INSERT and per transaction")
	keyFile := flag.String("key", "", "the key file the server will read (CMS_AUDIT_KEY_FILE), created when missing; the projection rows are sealed with it")
	newSchema := flag.Bool("pg-new-schema", false, "PostgreSQL: create a fresh schema in -db and print a URL that uses it, then exit")
	dropSchema := flag.String("pg-drop-schema", "", "PostgreSQL: drop this schema (one made by -pg-new-schema) from -db, then exit")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the seeding to this file")
	chainOnly := flag.Bool("chain-only", false, "only add the -chain-password accounts to a database seeded before, then exit")
	chainPassword := flag.String("chain-password", "", "also create the accounts of one editorial chain (bench-writer, bench-head, bench-leader, bench-director, bench-secrecy, bench-publisher) with this password, for the mixed run's publications")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *dbURL == "" {
		return errors.New("-db is required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	switch {
	case *newSchema:
		return pgNewSchema(ctx, *dbURL)
	case *dropSchema != "":
		return pgDropSchema(ctx, *dbURL, *dropSchema)
	}
	if *chainOnly {
		if *chainPassword == "" {
			return errors.New("-chain-only needs -chain-password")
		}
		db, err := storage.Open(ctx, *dbURL)
		if err != nil {
			return err
		}
		defer db.Close()
		return createChain(ctx, db, *chainPassword)
	}
	if *n < 1 || *batch < 1 {
		return errors.New("-n and -batch must be positive")
	}
	if *keyFile == "" {
		return errors.New("-key is required")
	}
	keys, err := app.ReadKeys(app.Config{AuditKeyFile: *keyFile})
	if err == nil && keys == nil {
		keys, err = app.CreateKeyFile(*keyFile)
	}
	if err != nil {
		return err
	}
	return seed(ctx, *dbURL, *n, *batch, keys, *chainPassword)
}

func seed(ctx context.Context, dbURL string, n, batch int, keys *cms.Keys, chainPassword string) error {
	start := time.Now()
	// Bulk statements (indexing ten thousand items for search at once) take
	// longer than a server's request may wait, more so on a busy machine.
	db, err := storage.Open(ctx, dbURL, storage.Timeout(10*time.Minute))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	if _, err := db.Seed(ctx); err != nil {
		return err
	}
	isPG := db.Dialect == storage.Postgres
	b := db.Bun()
	if !isPG {
		// One connection, so that the pragmas below hold for every statement.
		// Durability does not matter for a throwaway benchmark database.
		b.DB.SetMaxOpenConns(1)
		for _, p := range []string{"PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF", "PRAGMA cache_size = -262144", "PRAGMA temp_store = MEMORY"} {
			if _, err := b.ExecContext(ctx, p); err != nil {
				return err
			}
		}
	}
	var existing int
	if err := b.NewSelect().TableExpr("items").ColumnExpr("COUNT(*)").Scan(ctx, &existing); err != nil {
		return err
	}
	if existing > 0 {
		return fmt.Errorf("the database already holds %d items: seed a fresh one", existing)
	}
	author, err := createEditor(ctx, db)
	if err != nil {
		return err
	}
	if chainPassword != "" {
		if err := createChain(ctx, db, chainPassword); err != nil {
			return err
		}
	}
	setup := time.Since(start)

	// Builders render, hash and format the items of a batch on every core
	// but one; the writer inserts the batches in id order. On an error the
	// process exits, builders and all.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ids := make(chan [2]int)
	type built struct {
		lo   int
		rows *rowBatch
	}
	// Room for the builders to run ahead while the writer indexes a chunk.
	out := make(chan built, 16)
	now := time.Now().UTC().Truncate(time.Microsecond)
	gen := newGenerator(b, n, author, now)
	gen.keys = keys
	var wg sync.WaitGroup
	// One core stays for the writer, which is the bottleneck.
	for range max(1, runtime.GOMAXPROCS(0)-1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range ids {
				rows, err := gen.batch(r[0], r[1])
				if err != nil {
					fmt.Fprintln(os.Stderr, "seed:", err)
					os.Exit(1)
				}
				out <- built{lo: r[0], rows: rows}
			}
		}()
	}
	go func() {
	feed:
		for lo := 1; lo <= n; lo += batch {
			select {
			case ids <- [2]int{lo, min(n, lo+batch-1)}:
			case <-ctx.Done():
				break feed
			}
		}
		close(ids)
		wg.Wait()
		close(out)
	}()
	pending := map[int]*rowBatch{}
	next := 1
	ftsDone := 0
	if !isPG {
		// The full-text index is filled in chunks of ftsChunk items, each
		// flushed as one segment rather than one per MB of pending data
		// (hashsize), and FTS5 merges the segments as they pile up, as it
		// does in a live database: the same index content, built faster.
		if _, err := b.ExecContext(ctx, "INSERT INTO public_search (public_search, rank) VALUES ('hashsize', ?)", 1<<30); err != nil {
			return err
		}
	}
	var insertTime, indexTime time.Duration
	lastReport := time.Now()
	for bt := range out {
		pending[bt.lo] = bt.rows
		for pending[next] != nil {
			rb := pending[next]
			delete(pending, next)
			t0 := time.Now()
			if err := insertBatch(ctx, b, rb); err != nil {
				return fmt.Errorf("insert items %d–%d: %w", next, next+rb.count-1, err)
			}
			next += rb.count
			if !isPG && (next-1-ftsDone >= ftsChunk || next-1 == n) {
				t1 := time.Now()
				err := indexSearch(ctx, b, ftsDone+1, next-1)
				indexTime += time.Since(t1)
				if err != nil {
					return fmt.Errorf("index items %d–%d for search: %w", ftsDone+1, next-1, err)
				}
				ftsDone = next - 1
			}
			insertTime += time.Since(t0)
			if time.Since(lastReport) > 5*time.Second {
				fmt.Fprintf(os.Stderr, "seed: %d/%d items (%.0fs)\n", next-1, n, time.Since(start).Seconds())
				lastReport = time.Now()
			}
		}
	}
	if next != n+1 {
		return fmt.Errorf("inserted %d items, want %d", next-1, n)
	}
	if isPG {
		// Explicit ids do not advance the sequences: move them past the seeded rows.
		for _, t := range []string{"items", "revisions"} {
			if _, err := b.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence(?, 'id'), (SELECT MAX(id) FROM "+t+"))", t); err != nil {
				return err
			}
		}
		if _, err := b.ExecContext(ctx, "ANALYZE"); err != nil { // autovacuum would do it within a minute
			return err
		}
	} else {
		for _, q := range []string{
			"INSERT INTO public_search (public_search, rank) VALUES ('hashsize', 1048576)", // the default again
			// One segment, as a live index whose merges have kept up: left as
			// the chunks made it, the first publications after seeding would
			// each pay for a crisis merge of the whole index (seconds at
			// 100,000 items, holding the write lock).
			"INSERT INTO public_search (public_search) VALUES ('optimize')",
			"PRAGMA journal_mode = WAL", // as the server runs it
		} {
			if _, err := b.ExecContext(ctx, q); err != nil {
				return err
			}
		}
	}
	elapsed := time.Since(start)
	fmt.Fprintf(os.Stderr, "seed: %d items in %.1fs (setup %.1fs, writing %.1fs of which search index %.1fs; %.0f items/s)\n",
		n, elapsed.Seconds(), setup.Seconds(), insertTime.Seconds(), indexTime.Seconds(), float64(n)/elapsed.Seconds())

	fmt.Printf("SEED_SECONDS=%.1f\n", elapsed.Seconds())
	fmt.Printf("ITEM_ID=%d\n", gen.middleNews())
	var newsCount int
	if err := b.NewSelect().TableExpr("public_items").ColumnExpr("COUNT(*)").Where("column_slug = 'news'").Scan(ctx, &newsCount); err != nil {
		return err
	}
	fmt.Printf("NEWS_ITEMS=%d\n", newsCount)
	for i, q := range []string{"提取", "住房公积金"} {
		// Through the store's own search query, so both databases count alike.
		hits, err := db.Search(ctx, cms.QueryPhrases(q), cms.PublicFilter{Limit: 1 << 30})
		if err != nil {
			return err
		}
		fmt.Printf("MATCHES_%d=%s:%d\n", i+1, q, len(hits))
	}
	return nil
}

// createEditor creates the account that authored the seeded items. Its
// password is random and thrown away: nobody signs in with it.
func createEditor(ctx context.Context, db *storage.DB) (int64, error) {
	pw := make([]byte, 24)
	_, _ = rand.Read(pw)
	hash, err := rbac.Hasher{Params: rbac.Argon2Params{MemoryKiB: 1024, Time: 1, Threads: 1}}.Hash(hex.EncodeToString(pw))
	if err != nil {
		return 0, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	u := &cms.User{Username: "bench-editor", DisplayName: "基准测试编辑", Department: "office",
		Roles:             []cms.RoleBinding{{Role: cms.RoleEditor, Department: "office"}},
		PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
	audit := cms.NewAuditEntry(now, 0, cms.AuditUserCreated, "", map[string]any{"username": u.Username, "via": "bench seed"})
	if err := db.CreateUser(ctx, u, hash, nil, audit); err != nil {
		return 0, err
	}
	return u.ID, nil
}

// Rows, with the tags of the storage package's live models.

// PostgreSQL schemas for throwaway benchmark databases.

// Content generation.

// Vocabulary. The generic sentences avoid 提取 and 住房公积金, so that a
// search for either finds only the items about those topics: a few percent.

var (
	subjects = []string{"市公积金中心", "中心党组", "各县区管理部", "服务大厅", "信息科", "归集科", "计划财务科", "行政许可科",
		"办公室", "枞阳管理部", "中心领导班子", "窗口工作人员", "青年志愿服务队", "中心机关党支部", "12329服务热线", "中心工会"}
	actions = []string{"召开", "开展", "组织", "推进", "部署", "举办", "参加", "落实", "完成", "深化", "启动", "总结"}
	objects = []string{"年度工作会议", "党风廉政建设专题学习", "优化营商环境工作推进会", "数字化转型业务培训", "“一网通办”业务培训",
		"政务服务满意度评价", "安全生产检查", "档案管理规范化工作", "窗口服务礼仪培训", "廉政警示教育活动", "内部控制审计",
		"数据治理专项行动", "网点服务标准化建设", "适老化服务改造", "热线服务质量提升行动", "“我为群众办实事”实践活动",
		"信息系统等级保护测评", "政务公开专项检查", "消防应急演练", "半年工作总结会", "作风建设年活动", "业务技能竞赛"}
	tails = []string{"，进一步提升了服务效能。", "，受到办事群众好评。", "，为下一阶段工作打下坚实基础。", "，会议由中心主任主持。",
		"，各项工作有序推进。", "，取得了阶段性成效。", "，中心将持续抓好落实。", "，切实增强了干部职工的责任意识。",
		"，并对下一步工作作出具体安排。", "。"}
	generic = []string{
		"会议强调，要坚持以人民为中心的发展思想，持续提升政务服务水平。",
		"与会人员围绕工作重点进行了深入交流，提出了具体意见和建议。",
		"活动期间，工作人员耐心解答群众咨询，发放宣传资料三百余份。",
		"下一步，中心将进一步完善制度建设，强化监督检查，确保各项措施落到实处。",
		"本次培训采取集中授课与现场演示相结合的方式，参训人员普遍反映收获较大。",
		"中心各部门要提高政治站位，压实工作责任，确保按时完成年度目标任务。",
		"通过线上线下相结合的方式，进一步拓宽了群众办事渠道，实现了“让数据多跑路、群众少跑腿”。",
		"检查组对服务大厅的环境卫生、设施设备和窗口服务情况进行了逐项检查。",
		"会上通报了上半年重点工作完成情况，分析了存在的问题和不足。",
		"此次活动进一步增强了干部职工的凝聚力和向心力，营造了比学赶超的良好氛围。",
		"中心将以此次评价为契机，持续改进服务作风，不断提高群众满意度。",
		"各管理部结合本地实际，制定了具体的实施方案，明确了时间表和路线图。",
		"据统计，今年以来服务大厅共接待办事群众一万余人次，群众满意率保持在百分之九十九以上。",
		"公积金业务系统运行平稳，数据安全得到有效保障。",
		"中心还邀请了行业专家进行专题辅导，系统讲解了相关政策和业务规范。",
		"大家纷纷表示，将把学习成果转化为做好本职工作的实际行动。",
	}
	headings = []string{"工作背景", "主要做法", "取得成效", "下一步安排", "有关要求", "基本情况", "具体措施", "温馨提示"}
	topics   = map[string]struct {
		titles    []string
		sentences []string
	}{
		"withdrawal": {
			titles: []string{"关于优化住房公积金提取业务办理流程的通知", "租房提取住房公积金办事指南", "离职后如何提取公积金？",
				"购房提取业务实现全程网办", "关于调整租房提取额度的公告", "退休提取公积金需要哪些材料？", "提取类业务常见问题解答"},
			sentences: []string{
				"职工购买、建造、翻建、大修自住住房的，可以申请提取本人住房公积金账户内的存储余额。",
				"即日起，租房提取业务可通过手机App和微信公众号在线办理，无需前往服务大厅。",
				"提取额度按照实际发生的费用核定，不得超过本人公积金账户余额。",
				"离职后账户封存满半年且未重新就业的，可以申请销户提取。",
				"办理提取业务时，请携带本人身份证原件及相关证明材料。",
				"每年可办理一次租房提取，提取金额按当地租房提取限额执行。",
				"职工偿还公积金贷款本息的，可以按年提取，也可以按月委托提取。",
			},
		},
		"loan": {
			titles: []string{"住房公积金贷款政策问答", "关于调整公积金贷款最高额度的通知", "个人公积金贷款办事指南",
				"二手房公积金贷款常见问题", "公积金贷款利率下调政策解读", "组合贷款业务办理须知"},
			sentences: []string{
				"住房公积金贷款最高额度根据借款人账户余额和缴存时间综合确定。",
				"借款人应当连续足额缴存公积金满六个月，方可申请个人住房贷款。",
				"贷款期限最长不超过三十年，且贷款到期日不得超过借款人法定退休年龄后五年。",
				"首套公积金贷款五年以上利率为百分之二点八五。",
				"申请人需提供购房合同、首付款发票、收入证明等材料。",
				"贷款审批时限为受理后十个工作日内，审批结果将通过短信告知。",
			},
		},
		"repayment": {
			titles: []string{"公积金贷款提前还款办理指南", "还贷业务常见问题", "关于开通线上部分提前还款业务的通知",
				"逾期还款有什么影响？", "变更还款方式办事指南"},
			sentences: []string{
				"借款人可以申请部分提前还款或者全部提前还款，提前还款不收取违约金。",
				"还款方式分为等额本息和等额本金两种，借款人可以在合同期内申请变更一次。",
				"请在每月还款日前确保还款账户余额充足，避免产生逾期记录。",
				"全部结清贷款后，请携带结清证明到不动产登记中心办理抵押注销。",
			},
		},
		"deposit": {
			titles: []string{"关于调整公积金缴存基数的通知", "单位缴存登记办事指南", "灵活就业人员缴存公积金试点启动",
				"年度缴存基数调整常见问题", "缴存比例调整政策解读"},
			sentences: []string{
				"单位和职工的公积金缴存比例均不得低于百分之五，不得高于百分之十二。",
				"缴存基数为职工本人上一年度月平均工资，每年调整一次。",
				"新设立的单位应当自设立之日起三十日内办理公积金缴存登记。",
				"灵活就业人员可以按照自愿原则缴存公积金，享受同等贷款政策。",
				"单位为职工缴存的公积金，按照国家规定享受税收优惠政策。",
			},
		},
		"general": {
			titles: []string{"公积金管理条例实施细则", "关于印发服务规范的通知", "政务服务事项清单公告", "办事群众满意度调查结果公示"},
			sentences: []string{
				"本办法所称公积金，是指单位及其在职职工缴存的长期住房储金。",
				"中心将严格执行服务承诺制、首问负责制和限时办结制。",
				"群众可通过12329服务热线、微信公众号和手机App查询个人账户信息。",
			},
		},
	}
	places = []string{"市政务服务中心三楼公积金窗口", "枞阳县政务服务中心二楼", "中心服务大厅一号至六号窗口"}
)

func sentence(r *rng) string {
	return pick(r, subjects) + pick(r, actions) + pick(r, objects) + pick(r, tails)
}

func paragraph(r *rng, topic string, k int) string {
	var b strings.Builder
	for i := 0; i < k; i++ {
		switch x := r.intn(10); {
		case topic != "general" && x < 4:
			b.WriteString(pick(r, topics[topic].sentences))
		case x < 7:
			b.WriteString(pick(r, generic))
		default:
			b.WriteString(sentence(r))
		}
	}
	return b.String()
}

var cnNumbers = []string{"一", "二", "三", "四", "五", "六"}

// compose writes an item's title, Markdown body (about 1–2 KB) and fields.
func compose(r *rng, pl columnPlan, id int, published time.Time) (string, string, map[string]any) {
	var title string
	if pl.slug == "news" && pl.topic == "general" {
		title = pick(r, subjects) + pick(r, actions) + pick(r, objects)
	} else {
		title = pick(r, topics[pl.topic].titles)
	}
	var b strings.Builder
	b.WriteString(paragraph(r, pl.topic, 2+r.intn(2)))
	b.WriteString("\n\n")
	sections := 2 + r.intn(2)
	for s := 0; s < sections; s++ {
		fmt.Fprintf(&b, "## %s、%s\n\n", cnNumbers[s], pick(r, headings))
		b.WriteString(paragraph(r, pl.topic, 1+r.intn(3)))
		b.WriteString("\n\n")
		if r.intn(2) == 0 {
			for k := 0; k < 2+r.intn(2); k++ {
				b.WriteString("- ")
				b.WriteString(paragraph(r, pl.topic, 1))
				b.WriteString("\n")
			}
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "**咨询电话**：12329（工作日 8:30–17:30）。本文编号 %d。\n", id)
	body := b.String()

	fields := map[string]any{}
	date := published.Format("2006-01-02")
	switch pl.contentType {
	case cms.TypeArticle:
		fields["summary"] = firstRunes(cms.PlainText(body), 80)
		fields["source"] = "市住房公积金管理中心"
		fields["author"] = pick(r, []string{"办公室", "信息科", "归集科", "综合科"})
		fields["tags"] = []any{pick(r, []string{"工作动态", "党建", "便民服务", "政策解读"})}
	case cms.TypePolicy:
		fields["document_number"] = fmt.Sprintf("公积金发〔%d〕%d号", published.Year(), 1+id%60)
		fields["issuing_body"] = "市公积金管理委员会"
		fields["issued_on"] = date
		fields["effective_date"] = date
		fields["validity"] = "current"
		fields["summary"] = firstRunes(cms.PlainText(body), 100)
	case cms.TypeGuide:
		fields["conditions"] = []any{"连续足额缴存满六个月", "本人及配偶无未结清的公积金贷款"}
		fields["materials"] = []any{map[string]any{"name": "本人身份证", "form": "original", "copies": 1}}
		fields["steps"] = []any{map[string]any{"title": "窗口受理"}, map[string]any{"title": "审核办结"}}
		fields["time_limit"] = "即时办结"
		fields["place"] = pick(r, places)
		fields["fees"] = "不收费"
	case cms.TypeFAQ:
		fields["question"] = title
		fields["answer"] = paragraph(r, pl.topic, 2)
	}
	return title, body, fields
}

func firstRunes(s string, n int) string {
	rs := []rune(s)
	if len(rs) > n {
		return string(rs[:n]) + "…"
	}
	return s
}

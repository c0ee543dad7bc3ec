package storage

import (
	"cmp"
	"context"
	"slices"

	"github.com/uptrace/bun"

	"github.com/tlhpf/cms/cms"
)

// The sums a usage report shows, each read in one grouped query over the
// period's counts.

// readKinds are the kinds that count as reads (not downloads).
var readKinds = []string{cms.ReadItem.String(), cms.ReadColumn.String(), cms.ReadMenu.String()}

type usageFigures struct {
	db *DB
	q  cms.UsageQuery
	// from and to are the period's days as stored.
	from, to string
}

// reads starts a query over the period's read counts that q may see: for
// a department, its items' reads and files and its columns' listings.
func (f *usageFigures) reads() *bun.SelectQuery {
	q := f.db.bun.NewSelect().TableExpr("usage_reads AS u").Where("u.day >= ? AND u.day <= ?", f.from, f.to)
	if f.q.Departments == nil {
		return q
	}
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("u.kind IN (?) AND u.item_id IN (SELECT id FROM items WHERE department IN (?))",
			bun.In([]string{cms.ReadItem.String(), cms.ReadAttachment.String()}), bun.In(orNone(f.q.Departments))).
			WhereOr("u.kind = ? AND u.name IN (?)", cms.ReadColumn.String(), bun.In(orNone(f.q.Columns)))
	})
}

// UsageFigures sums the counts of a period for a report.
func (db *DB) UsageFigures(ctx context.Context, q cms.UsageQuery) (*cms.UsageFigures, error) {
	f := &usageFigures{db: db, q: q, from: q.From.String(), to: q.To.String()}
	out := &cms.UsageFigures{}
	for _, step := range []func(context.Context, *cms.UsageFigures) error{f.days, f.searchDays, f.items, f.columns, f.keys, f.files, f.terms} {
		if err := step(ctx, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type kindSum struct {
	Day    string
	Kind   string
	Client string
	N      int64
}

// days fills the days, the clients and the totals of reads and downloads.
func (f *usageFigures) days(ctx context.Context, out *cms.UsageFigures) error {
	var rows []kindSum
	if err := f.reads().ColumnExpr("u.day, u.kind, u.client, CAST(SUM(u.reads) AS BIGINT) AS n").
		GroupExpr("u.day, u.kind, u.client").Scan(ctx, &rows); err != nil {
		return err
	}
	out.Days = make([]cms.DayUsage, f.q.To-f.q.From+1)
	for i := range out.Days {
		out.Days[i].Day = f.q.From + cms.Day(i)
	}
	clients := map[string]int64{}
	for _, r := range rows {
		d, err := cms.ParseDay(r.Day)
		if err != nil || d < f.q.From || d > f.q.To {
			continue
		}
		day := &out.Days[d-f.q.From]
		switch r.Kind {
		case cms.ReadAttachment.String():
			day.Downloads += r.N
			out.Totals.Downloads += r.N
			continue
		case cms.ReadItem.String():
			out.Totals.ItemReads += r.N
		case cms.ReadColumn.String():
			out.Totals.ListReads += r.N
		case cms.ReadMenu.String():
			out.Totals.MenuReads += r.N
		}
		out.Totals.Reads += r.N
		clients[r.Client] += r.N
		switch r.Client {
		case cms.ClientApp.String():
			day.App += r.N
		case cms.ClientWeChat.String():
			day.WeChat += r.N
		default:
			day.Other += r.N
		}
	}
	for _, k := range cms.ClientKinds {
		out.Clients = append(out.Clients, cms.ClientUsage{Client: k, Reads: clients[k.String()]})
	}
	return nil
}

// searchDays fills the searches of each day and their totals (the whole
// centre only: searches belong to no department).
func (f *usageFigures) searchDays(ctx context.Context, out *cms.UsageFigures) error {
	if f.q.Departments != nil {
		return nil
	}
	var rows []struct {
		Day              string
		Searches, Misses int64
	}
	if err := f.db.bun.NewSelect().TableExpr("usage_searches").Where("day >= ? AND day <= ?", f.from, f.to).
		ColumnExpr("day, CAST(SUM(searches) AS BIGINT) AS searches, CAST(SUM(misses) AS BIGINT) AS misses").
		GroupExpr("day").Scan(ctx, &rows); err != nil {
		return err
	}
	for _, r := range rows {
		if d, err := cms.ParseDay(r.Day); err == nil && d >= f.q.From && d <= f.q.To {
			out.Days[d-f.q.From].Searches += r.Searches
			out.Totals.Searches += r.Searches
			out.Totals.Misses += r.Misses
		}
	}
	return nil
}

// items fills the most read items.
func (f *usageFigures) items(ctx context.Context, out *cms.UsageFigures) error {
	var rows []struct {
		ItemID                        int64
		Title, ColumnSlug, Department string
		N                             int64
	}
	if err := f.reads().Join("JOIN items AS i ON i.id = u.item_id").Where("u.kind = ?", cms.ReadItem.String()).
		ColumnExpr("u.item_id, i.title, i.column_slug, i.department, CAST(SUM(u.reads) AS BIGINT) AS n").
		GroupExpr("u.item_id, i.title, i.column_slug, i.department").OrderExpr("n DESC, u.item_id").Limit(int64(f.q.Limit)).
		Scan(ctx, &rows); err != nil {
		return err
	}
	out.Items = make([]cms.ItemUsage, len(rows))
	for i, r := range rows {
		out.Items[i] = cms.ItemUsage{ItemID: r.ItemID, Title: r.Title, Column: r.ColumnSlug, Department: r.Department, Reads: r.N}
	}
	return nil
}

// columns fills every column read: its items' reads and its listing's.
func (f *usageFigures) columns(ctx context.Context, out *cms.UsageFigures) error {
	var rows []struct {
		Slug string
		N    int64
	}
	byCol := map[string]*cms.ColumnUsage{}
	col := func(slug string) *cms.ColumnUsage {
		if byCol[slug] == nil {
			byCol[slug] = &cms.ColumnUsage{Column: slug}
		}
		return byCol[slug]
	}
	if err := f.reads().Join("JOIN items AS i ON i.id = u.item_id").Where("u.kind = ?", cms.ReadItem.String()).
		ColumnExpr("i.column_slug AS slug, CAST(SUM(u.reads) AS BIGINT) AS n").GroupExpr("i.column_slug").Scan(ctx, &rows); err != nil {
		return err
	}
	for _, r := range rows {
		col(r.Slug).ItemReads += r.N
	}
	rows = rows[:0]
	if err := f.reads().Where("u.kind = ?", cms.ReadColumn.String()).
		ColumnExpr("u.name AS slug, CAST(SUM(u.reads) AS BIGINT) AS n").GroupExpr("u.name").Scan(ctx, &rows); err != nil {
		return err
	}
	for _, r := range rows {
		col(r.Slug).ListReads += r.N
	}
	for _, c := range byCol {
		out.Columns = append(out.Columns, *c)
	}
	slices.SortFunc(out.Columns, func(a, b cms.ColumnUsage) int {
		return cmp.Or(cmp.Compare(b.Reads(), a.Reads()), cmp.Compare(a.Column, b.Column))
	})
	return nil
}

// keys fills the reads under each client key.
func (f *usageFigures) keys(ctx context.Context, out *cms.UsageFigures) error {
	var rows []struct {
		ClientKey int64
		Name      string
		N         int64
	}
	if err := f.reads().Join("LEFT JOIN client_keys AS k ON k.id = u.client_key").
		Where("u.client_key <> 0 AND u.kind IN (?)", bun.In(readKinds)).
		ColumnExpr("u.client_key, COALESCE(k.name, '') AS name, CAST(SUM(u.reads) AS BIGINT) AS n").
		GroupExpr("u.client_key, k.name").OrderExpr("n DESC, u.client_key").Scan(ctx, &rows); err != nil {
		return err
	}
	out.Keys = make([]cms.KeyUsage, len(rows))
	for i, r := range rows {
		out.Keys[i] = cms.KeyUsage{KeyID: r.ClientKey, Name: r.Name, Reads: r.N}
	}
	return nil
}

// files fills the most downloaded files.
func (f *usageFigures) files(ctx context.Context, out *cms.UsageFigures) error {
	var rows []struct {
		ItemID, RefID int64
		Name, Title   string
		N             int64
	}
	if err := f.reads().Join("LEFT JOIN attachments AS a ON a.id = u.ref_id").Join("LEFT JOIN items AS i ON i.id = u.item_id").
		Where("u.kind = ?", cms.ReadAttachment.String()).
		ColumnExpr("u.item_id, u.ref_id, COALESCE(a.name, '') AS name, COALESCE(i.title, '') AS title, CAST(SUM(u.reads) AS BIGINT) AS n").
		GroupExpr("u.item_id, u.ref_id, a.name, i.title").OrderExpr("n DESC, u.ref_id").Limit(int64(f.q.Limit)).Scan(ctx, &rows); err != nil {
		return err
	}
	out.Attachments = make([]cms.FileUsage, len(rows))
	for i, r := range rows {
		out.Attachments[i] = cms.FileUsage{ItemID: r.ItemID, AttachmentID: r.RefID, Name: r.Name, ItemTitle: r.Title, Downloads: r.N}
	}
	return nil
}

// terms fills the most searched terms and those that most often found
// nothing (the whole centre only).
func (f *usageFigures) terms(ctx context.Context, out *cms.UsageFigures) error {
	out.Searches, out.Misses = []cms.TermUsage{}, []cms.TermUsage{}
	if f.q.Departments != nil {
		return nil
	}
	for _, list := range []struct {
		dst    *[]cms.TermUsage
		having string
		order  string
	}{
		{&out.Searches, "SUM(searches) > 0", "searches DESC, term"},
		{&out.Misses, "SUM(misses) > 0", "misses DESC, term"},
	} {
		var rows []struct {
			Term                      string
			Searches, Misses, Results int64
		}
		if err := f.db.bun.NewSelect().TableExpr("usage_searches").Where("day >= ? AND day <= ?", f.from, f.to).
			ColumnExpr("term, CAST(SUM(searches) AS BIGINT) AS searches, CAST(SUM(misses) AS BIGINT) AS misses").
			ColumnExpr("CAST(SUM(results) AS BIGINT) AS results").GroupExpr("term").Having(list.having).
			OrderExpr(list.order).Limit(int64(f.q.Limit)).Scan(ctx, &rows); err != nil {
			return err
		}
		for _, r := range rows {
			*list.dst = append(*list.dst, cms.TermUsage{Term: r.Term, Searches: r.Searches, Misses: r.Misses, Results: r.Results})
		}
	}
	return nil
}

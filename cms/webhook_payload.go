package cms

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// Webhook payloads follow Standard Webhooks: {"type", "timestamp", "data"}.
// They carry identifiers and public content only: a revision's title or
// comment is not public until it is published, so revision.* events name
// the revision, its item and states, and item.* events add the title of
// what is live, the public URLs to purge and the new ETag.

// PurgeURL is a public URL whose cached copies a client must drop: the
// exact URL, or (Prefix) every URL that starts with it.
type PurgeURL struct {
	Path   string
	Prefix bool
}

// purgeURLs lists what an event makes stale in the content API.
func purgeURLs(t EventType, itemID int64, column, contentType, channel string) []PurgeURL {
	switch {
	case t.ItemEvent():
		id := strconv.FormatInt(itemID, 10)
		out := []PurgeURL{{Path: "/content/v1/items/" + id}, {Path: "/content/v1/items/" + id + "/attachments/", Prefix: true},
			{Path: "/content/v1/columns/" + column + "/items", Prefix: true}, {Path: "/content/v1/search", Prefix: true},
			{Path: "/content/v1/sync", Prefix: true}}
		if contentType == TypeAppRelease {
			out = append(out, PurgeURL{Path: "/content/v1/app-update", Prefix: true})
		}
		return out
	case t == MenuChanged, t == MaintenanceChanged:
		return []PurgeURL{{Path: "/content/v1/channels/" + channel + "/menu"}}
	}
	return nil
}

func purgeJSON(urls []PurgeURL) []map[string]any {
	out := make([]map[string]any, len(urls))
	for i, u := range urls {
		match := "exact"
		if u.Prefix {
			match = "prefix"
		}
		out[i] = map[string]any{"url": u.Path, "match": match}
	}
	return out
}

// payload builds the body of ev for webhooks.
func (r *dispatchRun) payload(ctx context.Context, ev *OutboxEvent) ([]byte, error) {
	data, err := r.payloadData(ctx, ev)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err = enc.Encode(map[string]any{"type": string(ev.Type), "timestamp": ev.At.UTC().Format(time.RFC3339Nano), "data": data})
	return bytes.TrimRight(buf.Bytes(), "\n"), err
}

func (r *dispatchRun) payloadData(ctx context.Context, ev *OutboxEvent) (map[string]any, error) {
	switch {
	case ev.Type == MenuChanged || ev.Type == MaintenanceChanged:
		data := map[string]any{"channel": ev.Channel, "purge": purgeJSON(purgeURLs(ev.Type, 0, "", "", ev.Channel))}
		d := ev.Details()
		if ev.Type == MenuChanged {
			_, id := splitSubject(ev.Subject)
			data["menu_entry_id"], data["enabled"], data["title"] = id, d["enabled"], d["title"]
		} else {
			for _, k := range []string{"notice", "starts_at", "ends_at"} {
				data[k] = d[k]
				if s, _ := d[k].(string); s == "" && k != "notice" {
					data[k] = nil
				}
			}
		}
		return data, nil
	}
	it, rev, err := r.itemOf(ctx, ev)
	if err != nil {
		return nil, err
	}
	data := map[string]any{"item_id": it.ID, "revision_id": rev.ID, "revision": rev.Number, "column": it.Column,
		"content_type": it.ContentType, "department": it.Department}
	if wf, ok := ev.Type.WorkflowEvent(); ok {
		d := ev.Details()
		data["event"], data["from"], data["to"], data["actor_role"] = string(wf), d["from"], d["to"], d["role"]
		return data, nil
	}
	channels, err := r.channelsOf(ctx, it.Column)
	if err != nil {
		return nil, err
	}
	data["channels"] = channels
	data["purge"] = purgeJSON(purgeURLs(ev.Type, it.ID, it.Column, it.ContentType, ""))
	data["title"], data["published_at"], data["etag"] = nil, nil, nil
	if ev.Type == ItemPublished || ev.Type == ItemUpdated || ev.Type == ItemRestored {
		data["title"], data["published_at"] = rev.Title, rev.PublishedAt.UTC().Format(time.RFC3339Nano)
	}
	if it.LiveRevisionID != 0 && r.svc.ETags != nil {
		// The ETag of the detail as it is served now, normally the one
		// this event made; a hint for comparing cached copies.
		if tag, err := r.svc.ETags.ItemETag(ctx, it.ID); err == nil {
			data["etag"] = tag
		}
	}
	return data, nil
}

// channelsOf lists the channels whose menus show a column.
func (r *dispatchRun) channelsOf(ctx context.Context, column string) ([]string, error) {
	if r.menus == nil {
		r.menus = map[string][]string{}
		chans, err := r.svc.Structure.Channels(ctx)
		if err != nil {
			return nil, err
		}
		for _, ch := range chans {
			entries, err := r.svc.Structure.Menu(ctx, ch.Slug)
			if err != nil {
				return nil, err
			}
			seen := map[string]bool{}
			for _, e := range entries {
				if e.Column != "" && !seen[e.Column] {
					seen[e.Column] = true
					r.menus[e.Column] = append(r.menus[e.Column], ch.Slug)
				}
			}
		}
	}
	out := r.menus[column]
	if out == nil {
		out = []string{}
	}
	return out, nil
}

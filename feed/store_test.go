package feed_test

import (
	"context"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/hwfdash/hwfdash/feed"
	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/public"
	"github.com/hwfdash/hwfdash/store"
)

// TestFromStore renders feeds from a real store's changes, as a handler
// does, and checks that a write shows at once, with a new ETag.
func TestFromStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := store.Open(ctx, "", t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	msgs, err := public.LoadMessages(nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := feed.Options{BaseURL: "http://127.0.0.1:8080", IndicatorName: func(id string) string {
		ind, _ := indicators.Lookup(id)
		return ind.Name
	}, Text: func(key string) string { return msgs.T("en", key) }}
	render := func(f indicators.ChangeFilter) (ids []string, etag string) {
		t.Helper()
		changes, err := db.Changes(ctx, f, feed.DefaultLimit)
		if err != nil {
			t.Fatal(err)
		}
		body, etag, err := feed.Render(changes, f, opts)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Entries []struct {
				ID      string `xml:"id"`
				Content string `xml:"content"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		for _, e := range doc.Entries {
			ids = append(ids, e.ID+" "+strings.TrimSpace(e.Content))
		}
		return ids, etag
	}
	write := func(author string, o ...indicators.Observation) {
		t.Helper()
		if _, err := db.Append(ctx, o, author); err != nil {
			t.Fatal(err)
		}
	}
	o := func(iso3 string, year int, v float64) indicators.Observation {
		return indicators.Observation{Indicator: "HWF_0001", ISO3: iso3, Year: year, Value: v, Source: "ministry"}
	}
	write("ministry AUT", o("AUT", 2020, 53), o("AUT", 2021, 54))
	before, etag1 := render(indicators.ChangeFilter{})
	write("ministry DEU", o("DEU", 2020, 44), o("AUT", 2020, 52))
	after, etag2 := render(indicators.ChangeFilter{})
	want := []string{
		"tag:127.0.0.1,2026:change/2/HWF_0001/AUT 2020: 52, revised from 53 (source: ministry)",
		"tag:127.0.0.1,2026:change/2/HWF_0001/DEU 2020: 44, new (source: ministry)",
		"tag:127.0.0.1,2026:change/1/HWF_0001/AUT 2020: 53, new (source: ministry)\n2021: 54, new (source: ministry)",
	}
	if strings.Join(after, "|") != strings.Join(want, "|") || strings.Join(before, "|") != want[2] {
		t.Errorf("before the write %q, after %q; want %q", before, after, want)
	}
	if etag1 == etag2 {
		t.Errorf("etag %s unchanged by a write", etag1)
	}
	if ids, _ := render(indicators.ChangeFilter{Country: "DEU"}); len(ids) != 1 || !strings.Contains(ids[0], "/DEU ") {
		t.Errorf("DEU feed = %q", ids)
	}
}

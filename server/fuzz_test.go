package server

import (
	"bytes"
	"compress/gzip"
	"math"
	"testing"
	"unicode/utf8"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/server/engine"
)

// The fuzz targets cover every parser a stranger can reach. Seed corpora
// live in testdata/fuzz/<target>; `make fuzz-short` runs each briefly.

func FuzzParseSubmissionJSON(f *testing.F) {
	f.Add([]byte(`[{"indicator":"HWF_0001","iso3":"AUT","year":2020,"value":55.2,"source":"s"}]`))
	f.Add([]byte(`{"indicator":"code_dna","iso3":"aut","year":2024,"value":1,"source":"NRI","note":"n"}`))
	f.Add([]byte(`[{"year":1e400,"value":"NaN"}]`))
	f.Add([]byte(`[`))
	// Issue 15 item 10: trailing data after the one JSON value.
	f.Add([]byte(`{"indicator":"HWF_0001","iso3":"AUT","year":2020,"value":5,"source":"s"} THIS IS NOT JSON`))
	f.Add([]byte(`{"indicator":"HWF_0001","iso3":"AUT","year":2020,"value":5,"source":"s"}{"iso3":"DEU"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		obs, errs := ParseSubmissionJSON(body)
		if len(obs) > 0 && len(errs) > 0 && len(obs)+len(errs) == 0 {
			t.Fatal("impossible")
		}
		for _, e := range errs {
			if e.Field == "" || e.Message == "" {
				t.Fatalf("error without field or message: %+v", e)
			}
		}
	})
}

func FuzzParseSubmissionCSV(f *testing.F) {
	f.Add([]byte("iso3,country,indicator,year,value,unit,source\nAUT,Austria,HWF_0001,2020,55.2,u,s\n"))
	f.Add([]byte("indicator,iso3,year,value,source,note\nHWF_0001,AUT,2020,\"1,5\",s,\"a\"\"b\"\n"))
	f.Add([]byte("\ufeffiso3\n\"unterminated"))
	// Issue 15 item 7: a decimal comma, a semicolon separator, numbers that
	// are not plain decimals.
	f.Add([]byte("iso3,indicator,year,value,source\nAUT,HWF_0010,2012,5,0,src\n"))
	f.Add([]byte("iso3;indicator;year;value;source\nAUT;HWF_0010;2012;5,5;src\n"))
	f.Add([]byte("iso3,indicator,year,value,source\nAUT,HWF_0010,2012,0x1p4,src\nAUT,HWF_0010,2013,1_000,src\n"))
	// Issue 16 item 8: Excel's European CSV (semicolons or tabs, decimal commas).
	f.Add([]byte("\ufeffiso3;indicator;year;value;source\r\nAUT;HWF_0010;2012;5,5;\"a; b\"\r\nAUT;HWF_0010;2013;1.234;s\r\n"))
	f.Add([]byte("iso3\tindicator\tyear\tvalue\tsource\nAUT\tHWF_0010\t2012\t-,5\ts\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		obs, errs := ParseSubmissionCSV(body)
		for _, o := range obs {
			if math.IsInf(o.Value, 0) || math.IsNaN(o.Value) {
				t.Fatalf("accepted a value that is not finite: %+v", o)
			}
		}
		for _, e := range errs {
			if e.Field == "" || e.Message == "" {
				t.Fatalf("error without field or message: %+v", e)
			}
		}
	})
}

// FuzzClientMessage feeds the websocket message handler's decoding and topic
// validation with arbitrary frames: it must answer errors, never panic.
func FuzzClientMessage(f *testing.F) {
	for _, s := range []string{`{"subscribe":["indicator:HWF_0001","country:AUT"],"since":3}`, `{"unsubscribe":["milestones"]}`,
		`{"subscribe":["chart:trend?indicator=HWF_0001&countries=AUT&time=2000..2020"]}`, `{"control":{"next":true},"token":"x"}`, `[`} {
		f.Add([]byte(s))
	}
	s := &Server{cfg: Config{CurrentYear: func() int { return 2026 }}}
	s.eng = engine.New(engine.Config{CurrentYear: s.cfg.CurrentYear,
		Reference: engine.Reference{Countries: []indicators.Country{{ISO3: "AUT", Groups: []string{"EU27"}}}}})
	s.ref = s.eng.Ref()
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeClientMessage(data)
		if err != nil {
			return
		}
		_ = s.canonicalTopics(m.Subscribe)
		_ = s.canonicalTopics(m.Unsubscribe)
	})
}

// FuzzParseExperience checks that any body is either rejected with named
// fields or accepted with a link that is safe to render.
func FuzzParseExperience(f *testing.F) {
	f.Add([]byte(`{"iso3":"AUT","title":"t","text":"x","date":"2024-01-02","topic":"retention","indicators":["HWF_0001"],"link":"https://e.org"}`))
	f.Add([]byte(`{"iso3":"AUT","title":"<script>","text":"\u0000","date":"2024-02-30","topic":"x","link":"javascript:alert(1)"}`))
	f.Add([]byte(`{"link":"HTTPS://a b","milestones":[1]}`))
	f.Add([]byte(`[{}]`))
	s := &Server{ref: engine.NewRef(engine.Reference{Countries: []indicators.Country{{ISO3: "AUT"}}, Milestones: []indicators.Milestone{{ID: "G01"}}})}
	f.Fuzz(func(t *testing.T, body []byte) {
		e, errs := s.checkExperience(body)
		for _, fe := range errs {
			if fe.Field == "" || fe.Message == "" {
				t.Fatalf("error without field or message: %+v", fe)
			}
		}
		if len(errs) == 0 {
			if e.Link != "" && !indicators.SafeLink(e.Link) {
				t.Fatalf("accepted unsafe link %q", e.Link)
			}
			if !utf8.ValidString(e.Title) || !utf8.ValidString(e.Text) {
				t.Fatal("accepted invalid UTF-8")
			}
		}
	})
}

// FuzzDecodeBounded checks that no compressed body, however crafted, decodes
// to more than the limit (issue 15 item 3).
func FuzzDecodeBounded(f *testing.F) {
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	_, _ = zw.Write(bytes.Repeat([]byte(" "), 1<<16))
	_ = zw.Close()
	f.Add("gzip", bomb.Bytes())
	f.Add("deflate", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	f.Add("br", []byte{0x0b, 0x00, 0x80, 0x20, 0x20, 0x03})
	const limit = 1024
	f.Fuzz(func(t *testing.T, enc string, raw []byte) {
		if enc != "gzip" && enc != "deflate" && enc != "br" {
			return
		}
		body, err := decodeBounded(enc, raw, limit)
		if err == nil && len(body) > limit {
			t.Fatalf("%d bytes decoded, limit %d", len(body), limit)
		}
	})
}

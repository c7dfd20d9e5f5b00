package public

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"
)

// loadAssets fails (never skips) when dist is not built: CI builds it first,
// and a binary without its assets must not pass.
func loadAssets(t *testing.T) *Assets {
	t.Helper()
	a, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// memberStates reads the 53 Member States from the shipped seed data.
func memberStates(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open("../store/seeddata/countries.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	states := map[string][]string{}
	for _, r := range rows[1:] {
		states[r[col["iso3"]]] = []string{r[col["m49"]], r[col["name_en"]]}
	}
	if len(states) != 53 {
		t.Fatalf("countries.csv has %d Member States, want 53", len(states))
	}
	return states
}

func TestAssets(t *testing.T) {
	a := loadAssets(t)

	t.Run("logical names", func(t *testing.T) {
		for _, want := range []string{"app.css", "app.js", "axe.min.js", "echarts.min.js", "europe.geo.json", "europe.small.json", "licenses.txt"} {
			if a.Path(want) == "" {
				t.Errorf("Path(%q) is empty; logical names: %v", want, a.Logical())
			}
		}
		// The page script's modules (static/js) reach browsers only bundled
		// in app.js.
		for _, logical := range a.Logical() {
			if strings.HasPrefix(logical, "js/") {
				t.Errorf("%s is served on its own; it belongs in the app.js bundle", logical)
			}
		}
		if got := a.Path("no-such.js"); got != "" {
			t.Errorf("Path(unknown) = %q, want \"\"", got)
		}
		if _, _, ok := a.Open("no-such.0123456789.js"); ok {
			t.Error("Open(unknown) ok")
		}
		if _, _, _, ok := a.Get("manifest.json", "br"); ok {
			t.Error("manifest.json is served; it is not an asset")
		}
	})

	// The first-frame worker draws with the page's own ECharts, loaded from
	// beside it by its hashed name: a first visit downloads ECharts once,
	// not once for the page and again inside the worker.
	t.Run("worker shares ECharts", func(t *testing.T) {
		echarts := strings.TrimPrefix(a.Path("echarts.min.js"), URLPrefix)
		worker, _, ok := a.Open(strings.TrimPrefix(a.Path("frames.js"), URLPrefix))
		if !ok {
			t.Fatal("no frames.js")
		}
		if !bytes.Contains(worker, []byte(`importScripts("`+echarts+`")`)) {
			t.Errorf("frames.js does not load %s", echarts)
		}
		if len(worker) > 16<<10 {
			t.Errorf("frames.js is %d bytes: it bundles ECharts again", len(worker))
		}
		lib, _, _ := a.Open(echarts)
		for _, want := range []string{"renderToSVGString", "setPlatformAPI"} {
			if !bytes.Contains(lib, []byte(want)) {
				t.Errorf("echarts.min.js lacks %s, which the worker uses", want)
			}
		}
	})

	t.Run("hashed names", func(t *testing.T) {
		for _, logical := range a.Logical() {
			p := a.Path(logical)
			hashed, found := strings.CutPrefix(p, URLPrefix)
			if !found {
				t.Fatalf("Path(%q) = %q, want prefix %q", logical, p, URLPrefix)
			}
			body, ct, ok := a.Open(hashed)
			if !ok {
				t.Fatalf("Open(%q) not found", hashed)
			}
			h := contentHash(body)
			ext := path.Ext(logical)
			if want := strings.TrimSuffix(logical, ext) + "." + h + ext; hashed != want {
				t.Errorf("%s: hashed name %q, want %q", logical, hashed, want)
			}
			if ct == "application/octet-stream" {
				t.Errorf("%s: no content type", logical)
			}
		}
	})

	t.Run("compressed variants", func(t *testing.T) {
		decoders := map[string]func(io.Reader) (io.Reader, error){
			"br":   func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
			"gzip": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
		}
		for _, logical := range a.Logical() {
			hashed := strings.TrimPrefix(a.Path(logical), URLPrefix)
			plain, _, _ := a.Open(hashed)
			for enc, decode := range decoders {
				body, _, got, ok := a.Get(hashed, enc)
				if !ok {
					t.Fatalf("Get(%q) not found", hashed)
				}
				if got == "" {
					// Text worth compressing must have been compressed.
					if compressible(hashed) && len(plain) > 1024 {
						t.Errorf("%s: no %s variant", logical, enc)
					}
					if !bytes.Equal(body, plain) {
						t.Errorf("%s: identity body differs from Open", logical)
					}
					continue
				}
				if got != enc {
					t.Errorf("%s: Accept-Encoding %q gave %q", logical, enc, got)
					continue
				}
				r, err := decode(bytes.NewReader(body))
				if err != nil {
					t.Fatalf("%s %s: %v", logical, enc, err)
				}
				out, err := io.ReadAll(r)
				if err != nil {
					t.Fatalf("%s %s: %v", logical, enc, err)
				}
				if !bytes.Equal(out, plain) {
					t.Errorf("%s: %s variant does not decompress to the original", logical, enc)
				}
			}
		}
	})

	t.Run("europe.geo.json", func(t *testing.T) {
		states := memberStates(t)
		body, ct, ok := a.Open(strings.TrimPrefix(a.Path("europe.geo.json"), URLPrefix))
		if !ok || ct != "application/json" {
			t.Fatalf("europe.geo.json: ok=%v content type %q", ok, ct)
		}
		var fc struct {
			Type     string `json:"type"`
			Features []struct {
				Properties struct {
					Name   string `json:"name"`
					ISO3   string `json:"iso3"`
					M49    string `json:"m49"`
					NameEN string `json:"name_en"`
				} `json:"properties"`
				Geometry struct {
					Type        string          `json:"type"`
					Coordinates json.RawMessage `json:"coordinates"`
				} `json:"geometry"`
			} `json:"features"`
		}
		if err := json.Unmarshal(body, &fc); err != nil {
			t.Fatal(err)
		}
		if fc.Type != "FeatureCollection" || len(fc.Features) != len(states) {
			t.Fatalf("got %s with %d features, want FeatureCollection with %d", fc.Type, len(fc.Features), len(states))
		}
		seen := map[string]bool{}
		for _, f := range fc.Features {
			p := f.Properties
			want, member := states[p.ISO3]
			switch {
			case !member:
				t.Errorf("%q is not a Member State", p.ISO3)
				continue
			case seen[p.ISO3]:
				t.Errorf("%s twice", p.ISO3)
			case p.Name != p.ISO3 || p.M49 != want[0] || p.NameEN != want[1]:
				t.Errorf("%s: properties %+v, want name=iso3, m49 %s, name_en %s", p.ISO3, p, want[0], want[1])
			}
			seen[p.ISO3] = true

			var polys [][][][2]float64
			switch f.Geometry.Type {
			case "Polygon":
				var p [][][2]float64
				if err := json.Unmarshal(f.Geometry.Coordinates, &p); err != nil {
					t.Fatalf("%s: %v", f.Properties.ISO3, err)
				}
				polys = [][][][2]float64{p}
			case "MultiPolygon":
				if err := json.Unmarshal(f.Geometry.Coordinates, &polys); err != nil {
					t.Fatalf("%s: %v", f.Properties.ISO3, err)
				}
			default:
				t.Fatalf("%s: geometry %q", f.Properties.ISO3, f.Geometry.Type)
			}
			inEurope := false
			for _, poly := range polys {
				all := true
				for _, ring := range poly {
					if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
						t.Errorf("%s: ring of %d points, not closed or too short", p.ISO3, len(ring))
					}
					for _, c := range ring {
						// The map's extent: no part may stretch it to other
						// continents (overseas departments, the antimeridian).
						if c[0] < -32 || c[0] > 192 || c[1] < 25 || c[1] > 85 {
							t.Errorf("%s: point %v outside the Europe window", p.ISO3, c)
						}
						all = all && c[0] >= -30 && c[0] <= 200 && c[1] >= 20 && c[1] <= 85
					}
				}
				inEurope = inEurope || all
			}
			if !inEurope {
				t.Errorf("%s: no polygon within lon -30..200, lat 20..85", p.ISO3)
			}
		}
	})

	t.Run("europe.small.json", func(t *testing.T) {
		states := memberStates(t)
		body, _, ok := a.Open(strings.TrimPrefix(a.Path("europe.small.json"), URLPrefix))
		if !ok {
			t.Fatal("europe.small.json not found")
		}
		var small []struct {
			ISO3 string   `json:"iso3"`
			Lon  *float64 `json:"lon"`
			Lat  *float64 `json:"lat"`
		}
		if err := json.Unmarshal(body, &small); err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, s := range small {
			if _, member := states[s.ISO3]; !member || s.Lon == nil || s.Lat == nil {
				t.Errorf("bad entry %+v", s)
				continue
			}
			if *s.Lon < -30 || *s.Lon > 200 || *s.Lat < 20 || *s.Lat > 85 {
				t.Errorf("%s: marker at %v,%v outside Europe", s.ISO3, *s.Lon, *s.Lat)
			}
			got[s.ISO3] = true
		}
		for _, want := range []string{"MCO", "SMR"} {
			if !got[want] {
				t.Errorf("%s has no marker; got %v", want, got)
			}
		}
		if got["RUS"] || got["FRA"] {
			t.Errorf("large states among the small ones: %v", got)
		}
	})
}

func TestLoadErrors(t *testing.T) {
	css := []byte("body{}")
	cssName := "app." + contentHash(css) + ".css"
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"not built", fstest.MapFS{".keep": {}}, "public: assets not built: run `make assets` (npm ci && npm run build)"},
		{"empty manifest", fstest.MapFS{"manifest.json": {Data: []byte("{}")}}, "assets not built"},
		{"bad manifest", fstest.MapFS{"manifest.json": {Data: []byte("[")}}, "parse manifest"},
		{"missing file", fstest.MapFS{"manifest.json": {Data: []byte(`{"app.css":"` + cssName + `"}`)}}, "read " + cssName},
		{"wrong hash", fstest.MapFS{
			"manifest.json":      {Data: []byte(`{"app.css":"app.0123456789.css"}`)},
			"app.0123456789.css": {Data: css},
		}, "does not match its name"},
		{"escaping name", fstest.MapFS{"manifest.json": {Data: []byte(`{"x":"../x.0123456789.js"}`)}}, "invalid name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(tt.fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("load: %v, want error containing %q", err, tt.want)
			}
		})
	}
	if _, err := load(fstest.MapFS{}); !errors.Is(err, ErrNotBuilt) {
		t.Errorf("load(empty) = %v, want ErrNotBuilt", err)
	}

	a, err := load(fstest.MapFS{"manifest.json": {Data: []byte(`{"app.css":"` + cssName + `"}`)}, cssName: {Data: css}})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Path("app.css"); got != "/assets/"+cssName {
		t.Errorf("Path = %q", got)
	}
	// Six bytes do not shrink: the plain body is served whatever is accepted.
	if body, ct, enc, ok := a.Get(cssName, "br, gzip"); !ok || enc != "" || !bytes.Equal(body, css) || ct != "text/css; charset=utf-8" {
		t.Errorf("Get = %q, %q, %q, %v", body, ct, enc, ok)
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		accept         string
		haveBr, haveGz bool
		want           string
	}{
		{"", true, true, ""},
		{"gzip, deflate, br, zstd", true, true, "br"},
		{"gzip, deflate", true, true, "gzip"},
		{"GZIP", true, true, "gzip"},
		{"x-gzip", true, true, "gzip"},
		{"br;q=0.5, gzip;q=0.8", true, true, "gzip"},
		{"br;q=0.8, gzip;q=0.8", true, true, "br"},
		{"br;q=0, gzip", true, true, "gzip"},
		{"br;q=0, gzip;q=0", true, true, ""},
		{"*", true, true, "br"},
		{"*;q=0.1, gzip", true, true, "gzip"},
		{"br;q=0, *", true, true, "gzip"},
		{"identity", true, true, ""},
		{"br", false, true, ""},
		{"br, gzip", false, true, "gzip"},
		{"br, gzip", false, false, ""},
		{"br;q=bogus, gzip;q=0.1", true, true, "gzip"},
		{" br ; q=1.0 ", true, true, "br"},
	}
	for _, tt := range tests {
		t.Run(tt.accept, func(t *testing.T) {
			if got := negotiate(tt.accept, tt.haveBr, tt.haveGz); got != tt.want {
				t.Errorf("negotiate(%q, br=%v, gzip=%v) = %q, want %q", tt.accept, tt.haveBr, tt.haveGz, got, tt.want)
			}
		})
	}
}

func TestNameHash(t *testing.T) {
	tests := map[string]string{
		"europe.geo.0123456789.json": "0123456789",
		"app.0123456789.css":         "0123456789",
		"js/map.0123456789.js":       "0123456789",
		"LICENSE.0123456789":         "0123456789",
		"plain":                      "",
	}
	for name, want := range tests {
		if got := nameHash(name); got != want {
			t.Errorf("nameHash(%q) = %q, want %q", name, got, want)
		}
	}
}

// BenchmarkLoad is the start-up cost of the server's assets, compression
// included.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	a, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	name := strings.TrimPrefix(a.Path("echarts.min.js"), URLPrefix)
	for b.Loop() {
		if _, _, _, ok := a.Get(name, "gzip, deflate, br, zstd"); !ok {
			b.Fatal("not found")
		}
	}
}

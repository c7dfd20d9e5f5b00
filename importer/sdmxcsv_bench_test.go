package importer

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

// sdmxGen writes an SDMX-CSV 2.0 file of n Eurostat-style rows on the fly
// (53 Member States × 30 NUTS 2 regions × years), so the benchmark's input
// never sits in memory.
type sdmxGen struct {
	cs   []indicators.Country
	n, i int
	buf  []byte
}

func (g *sdmxGen) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.i <= g.n {
		if g.i == 0 {
			g.buf = append(g.buf, "STRUCTURE,STRUCTURE_ID,ACTION,freq,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n"...)
		} else {
			r := g.i - 1
			c := g.cs[r%len(g.cs)]
			region := r / len(g.cs) % 30
			year := 1960 + r/(len(g.cs)*30)
			flag := ""
			if r%97 == 0 {
				flag = "b"
			}
			g.buf = fmt.Appendf(g.buf, "dataflow,ESTAT:HLTH_RS_PHYSREG(1.0),I,A,P_HTHAB,%s%c%c,%d,%d.%d,%s,\n",
				c.ISO2, 'A'+region/10, '0'+region%10, year, 150+r%400, r%10, flag)
		}
		g.i++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[:copy(g.buf, g.buf[n:])]
	return n, nil
}

// BenchmarkSDMXCSVRead is the reader alone on 100,000 rows: its memory must
// not grow with the file.
func BenchmarkSDMXCSVRead(b *testing.B) {
	cs := countries(b)
	m, err := DefaultMapping(FormatSDMXCSV, "ESTAT:HLTH_RS_PHYSREG")
	if err != nil {
		b.Fatal(err)
	}
	const rows = 100_000
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		err := readSDMXCSV(&sdmxGen{cs: cs, n: rows}, func(string) (*Mapping, error) { return m, nil }, func(Record) error { n++; return nil })
		if err != nil || n != rows {
			b.Fatalf("%d rows, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}

// BenchmarkImportSDMXCSV100k parses and maps 100,000 rows (the NUTS 2
// ratio: every row is checked, deduplicated and aggregated).
func BenchmarkImportSDMXCSV100k(b *testing.B) {
	cs := countries(b)
	const rows = 100_000
	b.ReportAllocs()
	for b.Loop() {
		progress := 0
		res, err := Parse(context.Background(), &sdmxGen{cs: cs, n: rows}, Options{Format: FormatSDMXCSV, Countries: cs, Now: testNow,
			Progress: func(n int) { progress = n }})
		if err != nil || res.Rows != rows || len(res.Rejected) != 0 || progress != rows/ProgressEvery*ProgressEvery {
			b.Fatalf("rows %d, rejected %v, progress %d, %v", res.Rows, res.Rejected, progress, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
	// What a parse keeps (the result, here 53 × 63 ratios) once done.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, _ := Parse(context.Background(), &sdmxGen{cs: cs, n: rows}, Options{Format: FormatSDMXCSV, Countries: cs, Now: testNow})
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(res)
	b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)), "kept-B")
}

// TestImportSDMXCSVStreams checks that the SDMX-CSV reader's live memory
// does not grow with the file: the heap after 200,000 rows is within 1 MiB
// of the heap after 20,000.
func TestImportSDMXCSVStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 200,000 rows")
	}
	cs := countries(t)
	m, err := DefaultMapping(FormatSDMXCSV, "ESTAT:HLTH_RS_PHYSREG")
	if err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	var early, late uint64
	n := 0
	err = readSDMXCSV(&sdmxGen{cs: cs, n: 200_000}, func(string) (*Mapping, error) { return m, nil }, func(Record) error {
		n++
		switch n {
		case 20_000:
			early = heap()
		case 200_000:
			late = heap()
		}
		return nil
	})
	if err != nil || n != 200_000 {
		t.Fatalf("%d rows, %v", n, err)
	}
	if late > early+1<<20 {
		t.Errorf("live heap grew from %d to %d bytes between rows 20,000 and 200,000", early, late)
	}
}

package cache

import (
	"context"
	"strings"
	"testing"
)

// TestLRUByteBound: the byte bound evicts the least recently used entries,
// whatever their count, and keeps its own count exact through replacements
// and evictions.
func TestLRUByteBound(t *testing.T) {
	val := func(n int) []byte { return []byte(strings.Repeat("x", n)) }
	cost := func(key string, n int) int64 { return int64(len(key)+n) + lruEntryOverhead }
	type put struct {
		key string
		n   int
	}
	tests := []struct {
		name     string
		maxBytes int64
		puts     []put
		want     []string // keys present afterwards
		gone     []string
	}{
		{"fits", 3 * cost("a", 100), []put{{"a", 100}, {"b", 100}, {"c", 100}}, []string{"a", "b", "c"}, nil},
		{"oldest evicted by bytes", 3 * cost("a", 100), []put{{"a", 100}, {"b", 100}, {"c", 100}, {"d", 100}},
			[]string{"b", "c", "d"}, []string{"a"}},
		{"a large value evicts several", 3 * cost("a", 100), []put{{"a", 100}, {"b", 100}, {"c", 100}, {"d", 400}},
			[]string{"d"}, []string{"a", "b", "c"}},
		{"larger than the bound: not kept, nothing evicted", 3 * cost("a", 100), []put{{"a", 100}, {"big", 1000}},
			[]string{"a"}, []string{"big"}},
		{"replacing a value counts the new size", 2 * cost("a", 100), []put{{"a", 100}, {"b", 100}, {"a", 10}, {"c", 90}},
			[]string{"a", "c"}, []string{"b"}},
		{"replacing with a value over the bound drops the key", 2 * cost("a", 100), []put{{"a", 100}, {"a", 1000}},
			nil, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLRU(1000, tt.maxBytes)
			for _, p := range tt.puts {
				l.put(p.key, val(p.n))
			}
			for _, k := range tt.want {
				if _, ok := l.get(k); !ok {
					t.Errorf("%q evicted, want kept", k)
				}
			}
			for _, k := range tt.gone {
				if _, ok := l.get(k); ok {
					t.Errorf("%q kept, want gone", k)
				}
			}
			n, bytes := l.size()
			var sum int64
			for e := l.order.Front(); e != nil; e = e.Next() {
				sum += e.Value.(*lruEntry).cost()
			}
			if n != len(tt.want) || bytes != sum || bytes > tt.maxBytes {
				t.Errorf("size %d entries, %d bytes (entries sum to %d, bound %d); want %d entries", n, bytes, sum, tt.maxBytes, len(tt.want))
			}
		})
	}
}

// TestCacheLocalMaxBytes: the cache passes its byte bound to the LRU, so
// payloads of many versions cannot grow the process past it.
func TestCacheLocalMaxBytes(t *testing.T) {
	const bound = 64 << 10
	c := New(context.Background(), Options{LocalMaxBytes: bound})
	defer c.Close()
	payload := []byte(strings.Repeat("p", 4<<10))
	for i := range 100 {
		key := "v" + strings.Repeat("1", i%7) + ":" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		if _, err := c.GetOrCompute(context.Background(), key, func(context.Context) ([]byte, error) { return payload, nil }); err != nil {
			t.Fatal(err)
		}
	}
	n, bytes := c.LocalSize()
	if bytes > bound || n == 0 || n >= 100 {
		t.Fatalf("%d entries, %d bytes; want some, at most %d bytes", n, bytes, bound)
	}
}

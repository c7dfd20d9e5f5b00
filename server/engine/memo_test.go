package engine

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

// pinnedFixtureStore answers live reads from live and reads pinned to any
// earlier version (At) from old: what the revision history gives.
type pinnedFixtureStore struct{ live, old *memStore }

func (s *pinnedFixtureStore) Latest(ctx context.Context, q indicators.Query) ([]indicators.Observation, error) {
	if q.AsOf != 0 {
		return s.old.Latest(ctx, q)
	}
	return s.live.Latest(ctx, q)
}

func (s *pinnedFixtureStore) YearCounts(ctx context.Context, indicator string) (map[int]int, error) {
	return s.live.YearCounts(ctx, indicator)
}

func (s *pinnedFixtureStore) YearCountsAsOf(ctx context.Context, indicator string, _ int64) (map[int]int, error) {
	return s.old.YearCounts(ctx, indicator)
}

// TestPinnedViewKeepsItsOwnMemo: the memo is shared between the engine and
// its pinned views (At), and its entries name the store they were read
// from, so a pinned view never answers from live entries, nor the live
// engine from a pinned view's, in whichever order they are asked.
func TestPinnedViewKeepsItsOwnMemo(t *testing.T) {
	ref, live := fixture()
	old := slices.Clone(live)
	for i := range old {
		if old[i].Indicator == fixtureIndicator {
			old[i].Value += 1000
		}
	}
	e := New(Config{Store: &pinnedFixtureStore{live: &memStore{obs: live}, old: &memStore{obs: old}},
		Reference: ref, CurrentYear: func() int { return 2025 }})
	// Live and pinned entries under one version number: only the store
	// they were read from tells them apart.
	e.RaiseFloor(1)
	ind := e.ref.ByID[fixtureIndicator]
	median := func(e *Engine) float64 {
		t.Helper()
		reg, err := e.Regional(context.Background(), ind, 2023, 1)
		if err != nil {
			t.Fatal(err)
		}
		if reg.Median == nil {
			t.Fatal("no median")
		}
		return *reg.Median
	}
	liveMedian := median7(mapValues(latestValues(live)))
	oldMedian := median7(mapValues(latestValues(old)))
	for i, step := range []struct {
		e    *Engine
		want float64
	}{{e, liveMedian}, {e.At(1), oldMedian}, {e, liveMedian}, {e.At(1), oldMedian}, {e.At(1), oldMedian}, {e, liveMedian}} {
		if got := median(step.e); got != step.want {
			t.Errorf("step %d (as_of %d): median %v, want %v", i, step.e.AsOf(), got, step.want)
		}
	}
}

func mapValues(m map[string]float64) []float64 {
	var out []float64
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// gatedStore counts the reads of the live store and holds each until gate
// is closed, so that a test can have callers arrive while a read runs.
type gatedStore struct {
	*memStore
	gate    chan struct{}
	started chan struct{}
	reads   atomic.Int64
}

func (s *gatedStore) Latest(ctx context.Context, q indicators.Query) ([]indicators.Observation, error) {
	s.reads.Add(1)
	s.started <- struct{}{}
	<-s.gate
	return s.memStore.Latest(ctx, q)
}

// TestMemoLoadsOnceForConcurrentCallers: callers missing the same series
// at once share one read of the store, and a caller that gives up (its
// context ends) neither cancels the read for the others nor gets a result.
func TestMemoLoadsOnceForConcurrentCallers(t *testing.T) {
	ref, live := fixture()
	st := &gatedStore{memStore: &memStore{obs: live}, gate: make(chan struct{}), started: make(chan struct{}, 16)}
	e := New(Config{Store: st, Reference: ref, CurrentYear: func() int { return 2025 }})
	ind := e.ref.ByID[fixtureIndicator]

	quitter, quit := context.WithCancel(context.Background())
	quitErr := make(chan error, 1)
	go func() {
		_, err := e.allSeries(quitter, ind)
		quitErr <- err
	}()
	<-st.started // the first caller's read is under way
	const waiters = 5
	results := make(chan []indicators.Observation, waiters)
	var wg sync.WaitGroup
	for range waiters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			obs, err := e.allSeries(context.Background(), ind)
			if err != nil {
				t.Error(err)
			}
			results <- obs
		}()
	}
	quit()
	if err := <-quitErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("the caller that gave up got %v, want context.Canceled", err)
	}
	close(st.gate)
	wg.Wait()
	close(results)
	for obs := range results {
		if len(obs) == 0 {
			t.Fatal("a waiting caller got no series")
		}
	}
	if n := st.reads.Load(); n != 1 {
		t.Fatalf("%d reads of the store for one series, want 1", n)
	}
	// The read's result is kept: a later caller reads nothing.
	if _, err := e.allSeries(context.Background(), ind); err != nil || st.reads.Load() != 1 {
		t.Fatalf("after the shared read: err %v, %d reads", err, st.reads.Load())
	}
}

// TestRegionalYearsReusedOnlyWhenUnchanged: after each write the regional
// series, whose unchanged years are reused from the previous computation
// (yearAggregate), equals one computed afresh by an engine with no memo;
// and the years a write left alone are the same aggregates, not copies.
func TestRegionalYearsReusedOnlyWhenUnchanged(t *testing.T) {
	ref, obs := fixture()
	st := &memStore{obs: obs}
	e := New(Config{Store: st, Reference: ref, CurrentYear: func() int { return 2025 }})
	ind := e.ref.ByID[fixtureIndicator]
	set := func(id, iso3 string, year int, value float64) {
		for i, o := range st.obs {
			if o.Indicator == id && o.ISO3 == iso3 && o.Year == year {
				st.obs[i].Value = value
				return
			}
		}
		st.obs = append(st.obs, indicators.Observation{Indicator: id, ISO3: iso3, Year: year, Value: value, Source: "fixture"})
	}
	writes := []struct {
		name    string
		write   func()
		ids     []string
		changed []int // the years whose aggregate must be computed again
	}{
		{"a value", func() { set(fixtureIndicator, "C02", 2019, 23) }, []string{fixtureIndicator}, []int{2019}},
		// A tenfold value is an unverified jump, and so is the fall back
		// the next year: that year's flags change with it.
		{"a jump", func() { set(fixtureIndicator, "C01", 2020, 120) }, []string{fixtureIndicator}, []int{2020, 2021}},
		{"a population", func() { set(population, "C03", 2022, 2e6) }, []string{population}, []int{2022}},
		{"a new year", func() { set(fixtureIndicator, "C05", 2024, 60) }, []string{fixtureIndicator}, []int{2024}},
		{"nothing", func() {}, []string{fixtureIndicator}, nil},
	}
	ctx := context.Background()
	prev, err := e.memoRegionalSeries(ctx, ind)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range writes {
		w.write()
		e.MarkChanged(int64(i+2), w.ids)
		got, err := e.memoRegionalSeries(ctx, ind)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := New(Config{Store: &memStore{obs: slices.Clone(st.obs)}, Reference: ref, CurrentYear: func() int { return 2025 }}).
			regionalSeries(ctx, ind)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, fresh) {
			t.Fatalf("%s: the series with reused years differs from a fresh one:\n got %+v\nwant %+v", w.name, got, fresh)
		}
		before := map[int]indicators.Regional{}
		for _, r := range prev {
			before[r.Year] = r
		}
		for _, r := range got {
			old, ok := before[r.Year]
			reused := ok && len(r.Countries) > 0 && &old.Countries[0] == &r.Countries[0]
			if want := !slices.Contains(w.changed, r.Year); reused != want {
				t.Errorf("%s: year %d reused %v, want %v", w.name, r.Year, reused, want)
			}
		}
		prev = got
	}
}

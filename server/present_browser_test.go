package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// wsSpy keeps the page's websockets in window.__sockets, so that a test
// can drop them as a network failure would, and sends new ones to a closed
// port while window.__block is set, so that the page stays disconnected
// until the test lets it reconnect.
const wsSpy = `(() => {
  const W = window.WebSocket; window.__sockets = []; window.__block = false;
  function S(u, p) { const s = new W(window.__block ? 'ws://127.0.0.1:9/' : u, p); window.__sockets.push(s); return s; }
  S.prototype = W.prototype; ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].forEach(k => { S[k] = W[k]; });
  window.WebSocket = S; })()`

// presentSizes are the projector resolutions every projector test runs at.
var presentSizes = [][2]int64{{1920, 1080}, {1280, 720}}

// openTab opens a tab at a viewport size that the test closes itself
// (a screen that has left must not answer the operator's roll call).
func (b *browser) openTab(t *testing.T, w, h int64) (context.Context, context.CancelFunc) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	b.listen(ctx)
	// The first Run opens the tab, which lives as long as its context:
	// ctx itself, not a timeout derived from it.
	if err := chromedp.Run(ctx, front(ctx), chromedp.EmulateViewport(w, h),
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(wsSpy).Do(ctx)
			return err
		})); err != nil {
		t.Fatal(err)
	}
	return ctx, cancel
}

const liveNow = `document.querySelector('.live').dataset.state === 'live'`

// screenState is what a projector screen shows.
type screenState struct {
	Slide, Seq, Last, Error string
	Focus                   string
}

const readScreen = `(() => { const d = document.querySelector('.slides'); const f = document.querySelector('.slide[data-slide="focus"] figure');
  const shown = [...document.querySelectorAll('.slide')].filter(s => !s.hidden).map(s => s.dataset.slide).join();
  const err = [...document.querySelectorAll('.chart-error')].filter(e => !e.hidden).map(e => e.textContent).join();
  return {Slide: shown, Seq: d.dataset.seq || '', Last: document.body.dataset.lastControl || '', Error: err, Focus: f.dataset.query}; })()`

func evalPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }

// TestBrowserPresentOperator drives two projector screens on two instances
// (one Redis bus) from /present/control: the operator sees refusals, the
// screens that received each command and the slide each shows; the
// screens show the same slide, a screen that joins late or reconnects
// shows the current one, and no operator error reaches a screen.
func TestBrowserPresentOperator(t *testing.T) {
	skipShort(t, "browser")
	requireRedis(t)
	prefix := "hwfdash-test-" + randHex(4) + ":"
	one := startApp(t, appOptions{redisURL: redisURL, prefix: prefix, poll: time.Hour})
	two := startApp(t, appOptions{redisURL: redisURL, prefix: prefix, poll: time.Hour})
	b := newBrowser(t)
	for _, size := range presentSizes {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			w, h := size[0], size[1]
			var screens []context.Context
			var closers []context.CancelFunc
			defer func() {
				for _, c := range closers {
					c()
				}
			}()
			for _, base := range []string{one.URL, two.URL} {
				ctx, cancel := b.openTab(t, w, h)
				screens, closers = append(screens, ctx), append(closers, cancel)
				run(t, ctx, 60*time.Second, chromedp.Navigate(base+"/present?interval=600"),
					chromedp.Poll(liveNow+` && document.querySelector('.slides').dataset.seq`, nil, chromedp.WithPollingTimeout(30*time.Second)))
			}
			read := func(i int) screenState {
				var s screenState
				run(t, screens[i], 10*time.Second, chromedp.Evaluate(readScreen, &s))
				return s
			}
			// awaitSame waits until every screen shows the deck of seq.
			awaitSame := func(seq string) screenState {
				for i, ctx := range screens {
					run(t, ctx, 20*time.Second, chromedp.Poll(fmt.Sprintf(`document.querySelector('.slides').dataset.seq === %q`, seq), nil,
						chromedp.WithPollingTimeout(15*time.Second)))
					if i > 0 {
						if a, b := read(0), read(i); a.Slide != b.Slide || a.Focus != b.Focus {
							t.Fatalf("screens differ: %+v and %+v", a, b)
						}
					}
				}
				return read(0)
			}
			ctl, closeCtl := b.openTab(t, w, h)
			closers = append(closers, closeCtl)
			var pickers struct {
				NoText, Sorted        bool
				Indicators, Countries int
			}
			run(t, ctl, 60*time.Second, chromedp.Navigate(one.URL+"/present/control"),
				chromedp.Poll(liveNow+` && document.querySelector('.screens-count').dataset.count === '2'`, nil, chromedp.WithPollingTimeout(30*time.Second)),
				chromedp.Evaluate(`(() => { const c = new Intl.Collator(document.documentElement.lang);
				  const sorted = s => { const n = [...s.options].filter(o => o.value).map(o => o.textContent); return n.every((x, i) => i === 0 || c.compare(n[i - 1], x) <= 0); };
				  const f = document.querySelector('form.control');
				  return {NoText: !f.querySelector('input:not([type=password])'), Sorted: sorted(f.country) && sorted(f.indicator),
				    Indicators: f.indicator.options.length, Countries: f.country.options.length - 1}; })()`, &pickers))
			if !pickers.NoText || !pickers.Sorted || pickers.Indicators < 10 || pickers.Countries != 53 {
				t.Errorf("pickers: %+v; want select elements only, sorted by name, all indicators and 53 Member States", pickers)
			}
			// The list says which slide each screen shows.
			var listed []string
			run(t, ctl, 10*time.Second, chromedp.Evaluate(`[...document.querySelectorAll('.screens-list li')].map(l => l.dataset.slide)`, &listed))
			if s := read(0); len(listed) != 2 || listed[0] != s.Slide || listed[1] != s.Slide {
				t.Errorf("operator lists %v, screens show %q", listed, s.Slide)
			}
			// awaitReceived waits until the operator sees n screens show
			// the last command, and says what it sees when they do not.
			awaitReceived := func(n int) {
				t.Helper()
				ctx, cancel := context.WithTimeout(ctl, 20*time.Second)
				defer cancel()
				err := chromedp.Run(ctx, chromedp.Poll(fmt.Sprintf(`document.querySelector('.control-status').dataset.received === '%d' && document.querySelector('.control-error').hidden`, n), nil,
					chromedp.WithPollingTimeout(15*time.Second)))
				if err != nil {
					var seen string
					_ = chromedp.Run(ctl, chromedp.Evaluate(`document.querySelector('.control-status').textContent + ' | ' + document.querySelector('.control-error').textContent + ' | ' +
					  [...document.querySelectorAll('.screens-list li')].map(l => l.textContent).join('; ')`, &seen))
					t.Fatalf("operator: %v: %s", err, seen)
				}
			}
			before := read(0)
			errorShown := func(want string) {
				t.Helper()
				var text string
				run(t, ctl, 10*time.Second,
					chromedp.Poll(`!document.querySelector('.control-error').hidden`, nil, chromedp.WithPollingTimeout(5*time.Second)),
					chromedp.Text(`.control-error`, &text))
				if !strings.Contains(text, want) {
					t.Errorf("operator sees %q, want it to say %q", text, want)
				}
			}
			// Without a token, then with a wrong one: refused, visibly.
			run(t, ctl, 10*time.Second, chromedp.Click(`button[data-cmd="next"]`))
			errorShown("admin token first")
			run(t, ctl, 10*time.Second, chromedp.SendKeys(`input[name="token"]`, "wrong-token"), chromedp.Click(`button[data-cmd="next"]`))
			errorShown("admin token is wrong")
			if s := read(1); s.Seq != before.Seq || s.Slide != before.Slide {
				t.Errorf("a refused command moved a screen: %+v, was %+v", s, before)
			}
			// The right token: every screen shows the next slide, and the
			// operator sees both received it.
			run(t, ctl, 20*time.Second, chromedp.SetValue(`input[name="token"]`, adminToken), chromedp.Click(`button[data-cmd="next"]`))
			awaitReceived(2)
			seq := func() string {
				var s string
				run(t, screens[1], 5*time.Second, chromedp.Poll(`document.querySelector('.slides').dataset.seq !== `+fmt.Sprintf("%q", before.Seq), nil,
					chromedp.WithPollingTimeout(10*time.Second)), chromedp.Evaluate(`document.querySelector('.slides').dataset.seq`, &s))
				return s
			}()
			next := awaitSame(seq)
			var names []string
			run(t, screens[0], 5*time.Second, chromedp.Evaluate(`[...document.querySelectorAll('.slide')].map(s => s.dataset.slide)`, &names))
			if want := names[(indexOf(names, before.Slide)+1)%len(names)]; next.Slide != want {
				t.Errorf("after next the screens show %q, want %q (was %q)", next.Slide, want, before.Slide)
			}
			// An indicator picked from the list goes to the focus slide.
			var ind string
			run(t, ctl, 20*time.Second,
				chromedp.Evaluate(`(() => { const s = document.querySelector('select[name="indicator"]'); s.value = 'hwf_nurses_density'; return s.value; })()`, &ind),
				chromedp.Click(`button[data-cmd="indicator"]`))
			awaitReceived(2)
			for _, ctx := range screens {
				run(t, ctx, 30*time.Second, front(ctx), chromedp.Poll(`document.body.dataset.lastControl === 'indicator:hwf_nurses_density' &&
				  document.querySelector('.slide[data-slide="focus"] figure').dataset.state === 'ready'`, nil, chromedp.WithPollingTimeout(25*time.Second)))
			}
			focus := read(0)
			if focus.Slide != "focus" || focus.Error != "" || !strings.Contains(focus.Focus, "hwf_nurses_density") {
				t.Errorf("after an indicator: %+v", focus)
			}
			// A command the page would never send (a typo through a raw
			// socket) is refused at the server; the screens keep their slide.
			var refusal string
			run(t, ctl, 10*time.Second, chromedp.Evaluate(fmt.Sprintf(`new Promise(res => { const s = new WebSocket('ws://' + location.host + '/ws');
			  s.onopen = () => s.send(JSON.stringify({control: {cmd: 'indicator', indicator: 'Doctors'}, token: %q}));
			  s.onmessage = e => { const m = JSON.parse(e.data); if (m.type === 'error') { s.close(); res(m.error); } }; })`, adminToken), &refusal, evalPromise))
			if !strings.Contains(refusal, `unknown indicator "Doctors"`) {
				t.Errorf("a typo got %q, want a refusal naming it", refusal)
			}
			if s := read(1); s != focus {
				t.Errorf("a refused indicator changed a screen: %+v, was %+v", s, focus)
			}
			// A screen that joins late shows what the others show.
			late, closeLate := b.openTab(t, w, h)
			closers = append(closers, closeLate)
			run(t, late, 60*time.Second, chromedp.Navigate(two.URL+"/present?interval=600"),
				chromedp.Poll(liveNow+` && document.querySelector('.slides').dataset.seq === `+fmt.Sprintf("%q", focus.Seq), nil, chromedp.WithPollingTimeout(30*time.Second)))
			screens = append(screens, late)
			if s := read(2); s.Slide != focus.Slide || s.Focus != focus.Focus {
				t.Errorf("a late screen shows %+v, the others %+v", s, focus)
			}
			// A screen that loses its connection while the deck moves on
			// shows the current slide when it is back, and its stamp says
			// live again.
			run(t, screens[0], 20*time.Second, front(screens[0]),
				chromedp.Evaluate(`window.__block = true; window.__sockets.forEach(s => s.close()); true`, nil),
				chromedp.Poll(`document.querySelector('.live').dataset.state === 'reconnecting' && document.querySelector('.stamp').dataset.state === 'reconnecting'`, nil,
					chromedp.WithPollingTimeout(10*time.Second)))
			run(t, ctl, 20*time.Second, front(ctl), chromedp.Click(`button[data-cmd="resume"]`))
			awaitReceived(2)
			var stamp struct{ State, Text string }
			run(t, screens[0], 30*time.Second, front(screens[0]), chromedp.Evaluate(`window.__block = false; true`, nil),
				chromedp.Poll(liveNow+` && document.body.dataset.lastControl === 'resume'`, nil, chromedp.WithPollingTimeout(25*time.Second)),
				chromedp.Evaluate(`({State: document.querySelector('.stamp').dataset.state, Text: document.querySelector('.stamp').textContent})`, &stamp))
			if stamp.State != "live" || strings.Contains(stamp.Text, "reconnecting") {
				t.Errorf("after reconnecting the stamp is %+v while the dot says live", stamp)
			}
			if a, c := read(0), read(1); a.Slide != c.Slide || a.Seq != c.Seq {
				t.Errorf("the reconnected screen shows %+v, the others %+v", a, c)
			}
			screenshot(t, ctl, fmt.Sprintf("present-control-%dx%d", w, h))
		})
	}
	b.checkNoErrors()
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// countryLabels reads the Member States' names as ECharts drew them on the
// visible slide: each category name of the chart with its box on screen
// and its font size.
const countryLabels = `(() => {
  const c = document.querySelector('.slide:not([hidden]) .chart-canvas');
  const inst = echarts.getInstanceByDom(c);
  const opt = inst.getOption();
  const names = new Set();
  [...opt.yAxis, ...opt.xAxis].filter(a => a.type === 'category').forEach(a => (a.data || []).forEach(d => { const s = typeof d === 'string' ? d : d.value; if (/^[^0-9]/.test(s)) names.add(s); }));
  const labels = [];
  inst.getZr().storage.getDisplayList(true).forEach(e => {
    const text = e.style && e.style.text;
    if (typeof text !== 'string' || !names.has(text) || e.ignore || e.invisible) return;
    const r = e.getBoundingRect().clone(); r.applyTransform(e.getComputedTransform());
    labels.push({Name: text, X: r.x, Y: r.y, W: r.width, H: r.height, Size: Number(e.style.fontSize || 12)});
  });
  return {Names: [...names], Labels: labels, Width: c.clientWidth, Height: c.clientHeight};
})()`

type labelBox struct {
	Name       string
	X, Y, W, H float64
	Size       float64
}

// minNameSize is the smallest type a name may have on a projector, in CSS
// pixels at 1280×720.
const minNameSize = 14

// TestBrowserPresentNamesLegible: on the Code and ranking slides every
// Member State's name is drawn, at a legible size, inside the chart, with
// no two names overprinting, at 1280×720 and 1920×1080.
func TestBrowserPresentNamesLegible(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	for _, size := range presentSizes {
		ctx, closeTab := b.openTab(t, size[0], size[1])
		run(t, ctx, 60*time.Second, chromedp.Navigate(a.URL+"/present?interval=600"),
			chromedp.Poll(liveNow+` && document.querySelector('.slides').dataset.seq`, nil, chromedp.WithPollingTimeout(30*time.Second)))
		for _, slide := range []string{"code", "ranking"} {
			show := fmt.Sprintf(`document.querySelectorAll('.slide').forEach(s => { s.hidden = s.dataset.slide !== %q; }); true`, slide)
			drawn := reachCharts + ` && (() => { const c = document.querySelector('.slide:not([hidden]) .chart-canvas'); const f = c.closest('figure'); const inst = window.echarts && echarts.getInstanceByDom(c);
			  return f.dataset.state === 'ready' && f.dataset.painted === 'true' && inst && Math.abs(inst.getHeight() - c.clientHeight) < 1; })()`
			var got struct {
				Names         []string
				Labels        []labelBox
				Width, Height float64
			}
			run(t, ctx, 40*time.Second, chromedp.Evaluate(show, nil), chromedp.Poll(drawn, nil, chromedp.WithPollingTimeout(30*time.Second)),
				chromedp.Evaluate(countryLabels, &got))
			where := fmt.Sprintf("%dx%d %s", size[0], size[1], slide)
			if len(got.Names) != 53 {
				t.Errorf("%s: %d names on the chart's axes, want the 53 Member States", where, len(got.Names))
			}
			drawnNames := map[string]bool{}
			for _, l := range got.Labels {
				drawnNames[l.Name] = true
				if l.Size < minNameSize {
					t.Errorf("%s: %q at %.0f px, want at least %d", where, l.Name, l.Size, minNameSize)
				}
				if l.X < 0 || l.Y < 0 || l.X+l.W > got.Width+1 || l.Y+l.H > got.Height+1 {
					t.Errorf("%s: %q drawn at %+v, outside the %.0fx%.0f chart", where, l.Name, l, got.Width, got.Height)
				}
			}
			for _, n := range got.Names {
				if !drawnNames[n] {
					t.Errorf("%s: %q is not drawn", where, n)
				}
			}
			for i, p := range got.Labels {
				for _, q := range got.Labels[i+1:] {
					if p.X < q.X+q.W && q.X < p.X+p.W && p.Y < q.Y+q.H && q.Y < p.Y+p.H {
						t.Errorf("%s: %q and %q overprint", where, p.Name, q.Name)
					}
				}
			}
			screenshot(t, ctx, fmt.Sprintf("present-%s-%dx%d", slide, size[0], size[1]))
		}
		closeTab()
	}
	b.checkNoErrors()
}

// showSlide shows one slide as the deck would, and waits for its chart.
func showSlide(t *testing.T, ctx context.Context, slide string) {
	t.Helper()
	run(t, ctx, 40*time.Second,
		chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll('.slide').forEach(s => { s.hidden = s.dataset.slide !== %q; }); true`, slide), nil),
		chromedp.Poll(reachCharts+` && (() => { const c = document.querySelector('.slide:not([hidden]) .chart-canvas'); if (!c) return true;
		  const f = c.closest('figure'); const inst = window.echarts && echarts.getInstanceByDom(c);
		  return f.dataset.state === 'ready' && inst && Math.abs(inst.getHeight() - c.clientHeight) < 1; })()`, nil, chromedp.WithPollingTimeout(30*time.Second)))
}

// TestBrowserPresentLayout: the overview's Code facts fit the slide, each
// part under its own title; the milestones slide names every milestone beside
// its id; a chart's source footer is one line of readable type.
func TestBrowserPresentLayout(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	var ms struct {
		Milestones []struct {
			ID string `json:"id"`
		} `json:"milestones"`
	}
	getJSON(t, a.URL+"/api/v1/milestones", &ms)
	for _, size := range presentSizes {
		where := fmt.Sprintf("%dx%d", size[0], size[1])
		ctx, closeTab := b.openTab(t, size[0], size[1])
		run(t, ctx, 60*time.Second, chromedp.Navigate(a.URL+"/present?interval=600"),
			chromedp.Poll(liveNow+` && document.querySelector('.slides').dataset.seq`, nil, chromedp.WithPollingTimeout(30*time.Second)))
		showSlide(t, ctx, "overview")
		// The overview is the cited Code facts (issue 14): the panel fits
		// the slide, and each of its parts is titled inside it.
		var ov struct {
			Bottom, View float64
			Titled       bool
		}
		run(t, ctx, 10*time.Second, chromedp.Evaluate(`(() => { const p = document.querySelector('.slide[data-slide="overview"] .code-facts');
		  const inside = (a, b) => a.left >= b.left && a.right <= b.right && a.top >= b.top && a.bottom <= b.bottom;
		  const hs = p ? [...p.querySelectorAll('h2')] : [];
		  return {Bottom: p ? p.getBoundingClientRect().bottom : 1e9, View: innerHeight,
		    Titled: hs.length === 2 && hs.every(h => h.textContent.trim() && inside(h.getBoundingClientRect(), p.getBoundingClientRect()))}; })()`, &ov))
		if ov.Bottom > ov.View || !ov.Titled {
			t.Errorf("%s overview: Code facts end at %.0f px of %.0f, each part titled inside the panel: %v", where, ov.Bottom, ov.View, ov.Titled)
		}
		// The distances' slide: each figure is its headline, the number
		// larger than its words; the list reads as the Code facts do; all of
		// it on the screen.
		showSlide(t, ctx, "distances")
		var dist struct {
			Big, Label, Item, Bottom float64
			Items                    int
		}
		run(t, ctx, 10*time.Second, chromedp.Evaluate(`(() => { const s = document.querySelector('.slide[data-slide="distances"]');
		  const size = e => e ? parseFloat(getComputedStyle(e).fontSize) : 0;
		  const items = [...s.querySelectorAll('.lowest-headroom li')];
		  return {Big: Math.min(...[...s.querySelectorAll('.headline .big')].map(size)), Label: Math.max(...[...s.querySelectorAll('.headline .label')].map(size)),
		    Item: Math.min(...items.map(size)), Items: items.length, Bottom: s.querySelector('.distances').getBoundingClientRect().bottom}; })()`, &dist))
		if dist.Big < 2*dist.Label || dist.Items == 0 || dist.Item < max(20, 0.025*float64(size[1])) || dist.Bottom > float64(size[1]) {
			t.Errorf("%s distances: figures at %.0f px over words at %.0f px, %d list items at %.0f px, ending at %.0f px", where, dist.Big, dist.Label, dist.Items, dist.Item, dist.Bottom)
		}
		showSlide(t, ctx, "milestones")
		var items []struct {
			ID, Text     string
			Bottom, Size float64
		}
		run(t, ctx, 10*time.Second, chromedp.Evaluate(`[...document.querySelectorAll('.slide:not([hidden]) .milestone-names li')].map(l => ({ID: l.dataset.id, Text: l.textContent,
		  Bottom: l.getBoundingClientRect().bottom, Size: parseFloat(getComputedStyle(l).fontSize)}))`, &items))
		if len(items) != len(ms.Milestones) {
			t.Errorf("%s milestones: %d named, the API has %d", where, len(items), len(ms.Milestones))
		}
		for _, it := range items {
			if len(strings.TrimSpace(strings.TrimPrefix(it.Text, it.ID))) < 5 || !strings.HasPrefix(it.Text, it.ID) {
				t.Errorf("%s milestones: %q is not its id and a name", where, it.Text)
			}
			if it.Size < minNameSize || it.Bottom > float64(size[1]) {
				t.Errorf("%s milestones: %s at %.0f px, ends at %.0f", where, it.ID, it.Size, it.Bottom)
			}
		}
		for _, slide := range []string{"code", "milestones", "map", "ranking", "focus"} {
			showSlide(t, ctx, slide)
			var foot struct{ Height, Line, Size float64 }
			run(t, ctx, 10*time.Second, chromedp.Evaluate(`(() => { const f = document.querySelector('.slide:not([hidden]) figcaption'); const cs = getComputedStyle(f);
			  return {Height: f.getBoundingClientRect().height, Line: parseFloat(cs.lineHeight), Size: parseFloat(cs.fontSize)}; })()`, &foot))
			if foot.Size < 15 || foot.Height > 2*foot.Line {
				t.Errorf("%s %s: source footer %.0f px high in %.0f px type, want one line of at least 15 px", where, slide, foot.Height, foot.Size)
			}
		}
		closeTab()
	}
	b.checkNoErrors()
}

// TestBrowserPresentPhone: /present on a phone is no wider than the
// screen, on any slide.
func TestBrowserPresentPhone(t *testing.T) {
	skipShort(t, "browser")
	_, b, ctx := openProjector(t, 390, 844)
	for _, slide := range presentSlideNames {
		showSlide(t, ctx, slide)
		var width float64
		run(t, ctx, 10*time.Second, chromedp.Evaluate(`document.documentElement.scrollWidth`, &width))
		if width > 390 {
			t.Errorf("%s: the page is %.0f px wide on a 390 px phone", slide, width)
		}
	}
	b.checkNoErrors()
}

// TestBrowserPresentDrawsAhead: the projector draws the next slide's chart
// before the deck reaches it, so a chart slide is never shown as an empty
// card while its chart loads: at the moment each chart slide is shown, its
// chart has drawn, at the size it is shown at.
func TestBrowserPresentDrawsAhead(t *testing.T) {
	skipShort(t, "browser")
	_, b, ctx := openProjector(t, 1920, 1080)
	run(t, ctx, 10*time.Second,
		// Each switch records the shown figure's state and its chart's size
		// against its canvas, as the screen is at that moment.
		chromedp.Evaluate(`window.__shown = []; new MutationObserver(() => {
		  const f = document.querySelector('.slide:not([hidden]) figure.chart'); const c = f && f.querySelector('.chart-canvas');
		  const inst = c && window.echarts && echarts.getInstanceByDom(c);
		  // Drawn by ECharts, or as its first frame (a picture from the worker), at the canvas's size.
		  const img = c && c.querySelector('img.chart-frame');
		  const frame = !!img && f.dataset.engine === 'frame' && img.complete && img.naturalWidth > 0 && Math.abs(img.naturalHeight - c.clientHeight) < 2;
		  window.__shown.push({Slide: document.querySelector('.slides').dataset.slide, State: f ? f.dataset.state : 'none',
		    Detail: (img ? img.naturalWidth + 'x' + img.naturalHeight + ' complete=' + img.complete : 'noimg') + ' canvas ' + (c ? c.clientWidth + 'x' + c.clientHeight : '') + ' engine ' + (f ? f.dataset.engine : ''),
		    Drawn: frame || (!!inst && inst.getWidth() > 0 && Math.abs(inst.getHeight() - c.clientHeight) < 2)}); })
		  .observe(document.querySelector('.slides'), {attributes: true, attributeFilter: ['data-slide']}); true`, nil))
	command := func(cmd string) {
		var ok bool
		run(t, ctx, 10*time.Second, chromedp.Evaluate(fmt.Sprintf(`new Promise(res => { const s = new WebSocket('ws://' + location.host + '/ws');
		  s.onopen = () => { s.send(JSON.stringify({control: %s, token: %q})); s.close(); res(true); }; })`, cmd, adminToken), &ok, evalPromise))
	}
	// The operator pauses the deck (a running deck draws the next slide
	// five seconds before it moves on; a paused one a second after it
	// shows a slide) and steps through it.
	command(`{cmd: 'pause'}`)
	run(t, ctx, 10*time.Second, chromedp.Poll(`document.body.dataset.lastControl === 'pause'`, nil, chromedp.WithPollingTimeout(10*time.Second)))
	goTo := func(slide int) {
		command(fmt.Sprintf(`{cmd: 'goto', slide: %d}`, slide))
		run(t, ctx, 10*time.Second, chromedp.Poll(fmt.Sprintf(`document.querySelector('.slides').dataset.slide === %q`, presentSlideNames[slide]), nil, chromedp.WithPollingTimeout(10*time.Second)))
	}
	for i, name := range presentSlideNames {
		if name == "overview" || name == "distances" {
			continue // no chart
		}
		goTo(i - 1)
		// The next slide's chart draws out of sight; an implementation that
		// draws it only when shown never gets here.
		run(t, ctx, 30*time.Second, chromedp.Poll(fmt.Sprintf(`document.querySelector('.slide[data-slide=%q] figure.chart').dataset.state === 'ready'`, name), nil,
			chromedp.WithPollingTimeout(20*time.Second)))
		goTo(i)
	}
	var shown []struct {
		Slide, State, Detail string
		Drawn                bool
	}
	run(t, ctx, 10*time.Second, chromedp.Evaluate(`window.__shown`, &shown))
	seen := 0
	for _, s := range shown {
		if s.State == "none" {
			continue
		}
		seen++
		if s.State != "ready" || !s.Drawn {
			t.Errorf("slide %s shown with its chart %s (drawn at its size: %v) %s", s.Slide, s.State, s.Drawn, s.Detail)
		}
	}
	if seen < 5 {
		t.Errorf("%d chart slides shown, want the 5 of the deck: %+v", seen, shown)
	}
	b.checkNoErrors()
}

// openProjector starts an instance and opens /present on it at w×h (ten
// minutes a slide), once the screen is live and has the deck.
func openProjector(t *testing.T, w, h int64) (*app, *browser, context.Context) {
	t.Helper()
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	ctx, _ := b.openTab(t, w, h)
	run(t, ctx, 60*time.Second, chromedp.Navigate(a.URL+"/present?interval=600"),
		chromedp.Poll(liveNow+` && document.querySelector('.slides').dataset.seq`, nil, chromedp.WithPollingTimeout(30*time.Second)))
	return a, b, ctx
}

// presentSlideNames is the deck's order (server's presentSlides).
var presentSlideNames = []string{"overview", "distances", "code", "milestones", "map", "ranking", "focus"}

// TestBrowserPresentAccessibility runs axe-core on every slide of the
// projector, on a phone and a laptop: the slides are shown one at a time,
// so a page-wide run sees only the first (the distances' muted note on the
// black background once failed colour contrast on its own slide).
func TestBrowserPresentAccessibility(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	axe := loadAssets(t).Path("axe.min.js")
	for _, size := range [][2]int64{{412, 823}, {1366, 768}} {
		ctx, closeTab := b.openTab(t, size[0], size[1])
		run(t, ctx, 60*time.Second, chromedp.Navigate(a.URL+"/present?interval=600"),
			chromedp.Poll(liveNow+` && document.querySelector('.slides').dataset.seq`, nil, chromedp.WithPollingTimeout(30*time.Second)),
			chromedp.Evaluate(fmt.Sprintf(`new Promise((ok, fail) => { const s = document.createElement('script'); s.src = %q; s.onload = ok; s.onerror = fail; document.head.appendChild(s); })`, axe), nil,
				func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
		for _, slide := range []string{"overview", "distances", "code", "milestones", "map", "ranking", "focus"} {
			showSlide(t, ctx, slide)
			var res string
			run(t, ctx, 60*time.Second,
				chromedp.Evaluate(`axe.run(document, {resultTypes: ['violations'], rules: {'target-size': {enabled: true}}}).then(r => JSON.stringify(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))`, &res,
					func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }))
			if res != "[]" {
				t.Errorf("%dx%d, slide %s: %s", size[0], size[1], slide, res)
			}
		}
		closeTab()
	}
	b.checkNoErrors()
}

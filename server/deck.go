package server

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// presentSlides names the projector's slides in the order of
// public/templates/present.html; the last one is the operator's focus.
var presentSlides = []string{"overview", "distances", "code", "milestones", "map", "ranking", "focus"}

// Bounds of the seconds a slide is shown for.
const (
	minPresentInterval = 5
	maxPresentInterval = 600
	// defaultFocusIndicator is the focus slide's indicator until an
	// operator picks another.
	defaultFocusIndicator = "hwf_dnm"
)

// deckState is the presentation every screen shows. Screens do not run
// their own slideshow: they compute the slide from this state and the
// server's clock (slide = Slide + elapsed/Interval since Since), so two
// screens cannot drift apart and a screen that joins late shows the same
// slide as the others. The zero value is a deck started at the Unix epoch
// with the default interval, which every instance agrees on without
// having to talk to the others.
type deckState struct {
	// Seq counts the commands applied; a state with a higher Seq (then a
	// later Since, then a greater Origin) replaces another.
	Seq int64 `json:"seq"`
	// Slide is the index shown from Since (Unix ms) on.
	Slide int   `json:"slide"`
	Since int64 `json:"since"`
	// Interval is the seconds each slide is shown; 0 means the default.
	Interval int  `json:"interval"`
	Paused   bool `json:"paused"`
	// Indicator and Country are what the focus slide shows ("" for the
	// default indicator, or the whole Region).
	Indicator string `json:"indicator"`
	Country   string `json:"country,omitempty"`
	// Cmd is the command that made this state ("next", "country:MLT").
	Cmd    string `json:"cmd,omitempty"`
	Origin string `json:"origin,omitempty"`
}

// deckCommand is an operator's command as sent by /present/control.
type deckCommand struct {
	Cmd       string `json:"cmd"`
	Slide     *int   `json:"slide,omitempty"`
	ISO3      string `json:"iso3,omitempty"`
	Indicator string `json:"indicator,omitempty"`
	Interval  int    `json:"interval,omitempty"`
}

// deckRules is what a command is checked against.
type deckRules struct {
	Slides    int
	Country   func(iso3 string) bool
	Indicator func(id string) bool
}

// interval gives the seconds per slide, the default for the zero state.
func (d deckState) interval() int {
	if d.Interval <= 0 {
		return defaultPresentInterval
	}
	return d.Interval
}

// focusIndicator gives the focus slide's indicator.
func (d deckState) focusIndicator() string {
	if d.Indicator == "" {
		return defaultFocusIndicator
	}
	return d.Indicator
}

// current is the slide shown at now.
func (d deckState) current(now time.Time, slides int) int {
	if slides <= 0 {
		return 0
	}
	i := d.Slide
	if !d.Paused {
		if steps := (now.UnixMilli() - d.Since) / (int64(d.interval()) * 1000); steps > 0 {
			i += int(steps % int64(slides))
		}
	}
	return ((i % slides) + slides) % slides
}

// newer says whether d replaces o.
func (d deckState) newer(o deckState) bool {
	if d.Seq != o.Seq {
		return d.Seq > o.Seq
	}
	if d.Since != o.Since {
		return d.Since > o.Since
	}
	return d.Origin > o.Origin
}

// apply gives the state after an operator's command at now. Relative
// commands (next, prev) are made absolute here, from the slide every
// screen shows at now, so that a repeated or late message cannot move
// screens apart. A command the deck cannot carry out is refused with an
// error naming what is wrong; the state is then unchanged.
func (d deckState) apply(c deckCommand, now time.Time, r deckRules) (deckState, error) {
	cur := d.current(now, r.Slides)
	n := d
	n.Seq, n.Since, n.Cmd, n.Slide = d.Seq+1, now.UnixMilli(), c.Cmd, cur
	last := r.Slides - 1
	switch c.Cmd {
	case "next":
		n.Slide = (cur + 1) % r.Slides
	case "prev":
		n.Slide = (cur - 1 + r.Slides) % r.Slides
	case "goto":
		if c.Slide == nil || *c.Slide < 0 || *c.Slide > last {
			return d, fmt.Errorf("control: slide must be a number from 0 to %d", last)
		}
		n.Slide = *c.Slide
	case "pause":
		n.Paused = true
	case "resume":
		n.Paused = false
	case "interval":
		if c.Interval < minPresentInterval || c.Interval > maxPresentInterval {
			return d, fmt.Errorf("control: interval must be %d to %d seconds", minPresentInterval, maxPresentInterval)
		}
		n.Interval = c.Interval
	case "country":
		iso3 := strings.ToUpper(strings.TrimSpace(c.ISO3))
		if r.Country == nil || !r.Country(iso3) {
			return d, fmt.Errorf("control: unknown country %q", c.ISO3)
		}
		n.Country, n.Slide, n.Paused, n.Cmd = iso3, last, true, "country:"+iso3
	case "indicator":
		id := strings.TrimSpace(c.Indicator)
		if r.Indicator == nil || !r.Indicator(id) {
			return d, fmt.Errorf("control: unknown indicator %q", c.Indicator)
		}
		// A new indicator is shown for the whole Region.
		n.Indicator, n.Country, n.Slide, n.Paused, n.Cmd = id, "", last, true, "indicator:"+id
	default:
		return d, fmt.Errorf("control: unknown command %q", c.Cmd)
	}
	return n, nil
}

// deckBox holds an instance's copy of the deck; the bus keeps the copies
// of all instances in step. The zero value is ready to use.
type deckBox struct {
	mu    sync.Mutex
	state deckState
}

func (b *deckBox) get() deckState {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state
}

// adopt keeps s when it is newer than the state held, and gives the state
// held afterwards.
func (b *deckBox) adopt(s deckState) deckState {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s.newer(b.state) {
		b.state = s
	}
	return b.state
}

// update applies a command to the state held.
func (b *deckBox) update(c deckCommand, now time.Time, r deckRules, origin string) (deckState, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.state.apply(c, now, r)
	if err != nil {
		return b.state, err
	}
	n.Origin = origin
	b.state = n
	return n, nil
}

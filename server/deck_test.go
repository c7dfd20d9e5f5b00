package server

import (
	"strings"
	"testing"
	"time"
)

func testRules() deckRules {
	return deckRules{Slides: 6,
		Country:   func(iso3 string) bool { return iso3 == "MLT" || iso3 == "AUT" },
		Indicator: func(id string) bool { return id == "hwf_dnm" || id == "hwf_0001" }}
}

func TestDeckCurrent(t *testing.T) {
	t0 := time.UnixMilli(1_000_000)
	tests := []struct {
		name  string
		d     deckState
		after time.Duration
		want  int
	}{
		{"zero state runs from the epoch at 20 s", deckState{}, 0, int(1_000_000/20_000) % 6},
		{"within the first interval", deckState{Slide: 2, Since: t0.UnixMilli(), Interval: 10}, 9999 * time.Millisecond, 2},
		{"one interval later", deckState{Slide: 2, Since: t0.UnixMilli(), Interval: 10}, 10 * time.Second, 3},
		{"wraps around", deckState{Slide: 5, Since: t0.UnixMilli(), Interval: 10}, 10 * time.Second, 0},
		{"many laps", deckState{Slide: 1, Since: t0.UnixMilli(), Interval: 5}, 5 * 6 * 100 * time.Second, 1},
		{"paused stays", deckState{Slide: 4, Since: t0.UnixMilli(), Interval: 5, Paused: true}, time.Hour, 4},
		{"a clock behind the state does not go back", deckState{Slide: 3, Since: t0.UnixMilli(), Interval: 5}, -time.Minute, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.current(t0.Add(tt.after), 6); got != tt.want {
				t.Errorf("current = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestDeckApply(t *testing.T) {
	now := time.UnixMilli(5_000_000)
	base := deckState{Seq: 3, Slide: 1, Since: now.Add(-25 * time.Second).UnixMilli(), Interval: 10} // shows slide 3 at now
	two := 2
	seven := 7
	tests := []struct {
		name    string
		cmd     deckCommand
		want    deckState // Seq, Since and Origin are checked apart
		wantErr string
	}{
		{"next is absolute from the slide shown", deckCommand{Cmd: "next"}, deckState{Slide: 4, Interval: 10, Cmd: "next"}, ""},
		{"prev", deckCommand{Cmd: "prev"}, deckState{Slide: 2, Interval: 10, Cmd: "prev"}, ""},
		{"goto", deckCommand{Cmd: "goto", Slide: &two}, deckState{Slide: 2, Interval: 10, Cmd: "goto"}, ""},
		{"goto out of range", deckCommand{Cmd: "goto", Slide: &seven}, deckState{}, "slide must be a number from 0 to 5"},
		{"goto without a slide", deckCommand{Cmd: "goto"}, deckState{}, "slide must be"},
		{"pause keeps the slide shown", deckCommand{Cmd: "pause"}, deckState{Slide: 3, Interval: 10, Paused: true, Cmd: "pause"}, ""},
		{"interval", deckCommand{Cmd: "interval", Interval: 30}, deckState{Slide: 3, Interval: 30, Cmd: "interval"}, ""},
		{"interval too short", deckCommand{Cmd: "interval", Interval: 2}, deckState{}, "interval must be 5 to 600 seconds"},
		{"country shows the focus slide, paused", deckCommand{Cmd: "country", ISO3: "mlt"},
			deckState{Slide: 5, Interval: 10, Paused: true, Country: "MLT", Cmd: "country:MLT"}, ""},
		{"unknown country", deckCommand{Cmd: "country", ISO3: "XXX"}, deckState{}, `unknown country "XXX"`},
		{"indicator for the whole Region", deckCommand{Cmd: "indicator", Indicator: "hwf_0001"},
			deckState{Slide: 5, Interval: 10, Paused: true, Indicator: "hwf_0001", Cmd: "indicator:hwf_0001"}, ""},
		{"a typo is refused", deckCommand{Cmd: "indicator", Indicator: "Doctors"}, deckState{}, `unknown indicator "Doctors"`},
		{"unknown command", deckCommand{Cmd: "reboot"}, deckState{}, `unknown command "reboot"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := base.apply(tt.cmd, now, testRules())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if got != base {
					t.Errorf("a refused command changed the state: %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Seq != base.Seq+1 || got.Since != now.UnixMilli() {
				t.Errorf("seq %d since %d, want %d %d", got.Seq, got.Since, base.Seq+1, now.UnixMilli())
			}
			got.Seq, got.Since = 0, 0
			if got != tt.want {
				t.Errorf("state %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestDeckBoxAdopt: instances that get the same states in any order end
// with the same one.
func TestDeckBoxAdopt(t *testing.T) {
	states := []deckState{{Seq: 1, Since: 10, Origin: "a"}, {Seq: 2, Since: 5, Origin: "a"}, {Seq: 2, Since: 5, Origin: "b"}, {Seq: 2, Since: 4, Origin: "c"}}
	orders := [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}}
	for _, o := range orders {
		var b deckBox
		for _, i := range o {
			b.adopt(states[i])
		}
		if got := b.get(); got != states[2] {
			t.Errorf("order %v: kept %+v, want %+v", o, got, states[2])
		}
	}
	var b deckBox
	if _, err := b.update(deckCommand{Cmd: "next"}, time.UnixMilli(0), testRules(), "x"); err != nil {
		t.Fatal(err)
	}
	if got := b.get(); got.Seq != 1 || got.Slide != 1 || got.Origin != "x" {
		t.Errorf("after next from the zero state: %+v", got)
	}
}

func TestShortTitle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Round 5 of national reporting", "Round 5 of national reporting"},
		{"  padded  ", "padded"},
		{"Resolution EUR/RC67/R5 adopts the framework for action on the health workforce", "Resolution EUR/RC67/R5 adopts the framework…"},
		{"Averyveryverylongwordwithoutanyspacesatallthatgoesonandon", "Averyveryverylongwordwithoutanyspacesatalltha…"},
		{"Здоровье и кадры: Бухарестская декларация о кадрах здравоохранения", "Здоровье и кадры: Бухарестская декларация о…"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := shortTitle(tt.in, 45)
			if got != tt.want {
				t.Errorf("shortTitle = %q, want %q", got, tt.want)
			}
			if n := len([]rune(got)); n > 46 {
				t.Errorf("%d runes", n)
			}
		})
	}
}

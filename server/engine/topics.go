package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hwfdash/hwfdash/indicators"
)

// topicKind is one kind of websocket topic, "<kind>" or "<kind>:<arg>":
// how a topic of the kind is checked, which data version its payload
// depends on, how that payload is computed, and which writes change it.
// Adding a topic kind means adding an entry to topicKinds, and nothing else.
type topicKind struct {
	name string
	// forms are how the kind is written, for the message that refuses an
	// unknown topic.
	forms []string
	// check validates the argument of a topic a client asks for. A topic's
	// text is its canonical form: a chart's page subscribes to
	// ChartRequest.Topic, and other kinds have one spelling.
	check func(e *Engine, arg string) error
	// version is the data version the topic's payload depends on; nil is
	// the global version.
	version func(e *Engine, arg string) int64
	// payload computes what subscribers receive at a version; nil for a
	// kind whose messages are relayed as they come (control).
	payload func(ctx context.Context, e *Engine, arg string, version int64) (any, error)
	// withChanges adds to a cached payload what is specific to one write
	// (the rows it changed); nil adds nothing.
	withChanges func(e *Engine, arg string, body []byte, rows []indicators.Observation) ([]byte, error)
	// onData lists the kind's topics a write of observations changes,
	// where the write alone says (the event carries them to every
	// instance).
	onData func(e *Engine, obs []indicators.Observation) []string
	// affected says whether a subscribed topic of the kind changes when
	// the given indicators (derived ones included) change, where only the
	// topic's argument says (charts).
	affected func(e *Engine, arg string, changed map[string]bool) bool
	// onExperience lists the kind's topics a change to a country's shared
	// experience changes.
	onExperience func(iso3 string) []string
	// onControl says the kind relays presenter commands.
	onControl bool
	// canonical writes a valid argument in its one spelling; nil: the
	// kind has one spelling already.
	canonical func(e *Engine, arg string) (string, error)
	// slow says a payload of the kind is costly to compute (a chart):
	// after a write such topics are computed beside the update loop, so
	// that they never delay the other topics' pushes.
	slow bool
}

// topicKinds is the table of topic kinds, in the order the message that
// refuses an unknown topic names them. (Set in init: the chart kind's
// functions reach the table through parseChartTopic.)
var topicKinds []topicKind

// kindOf finds a topic kind by name.
func kindOf(name string) (topicKind, bool) {
	for _, k := range topicKinds {
		if k.name == name {
			return k, true
		}
	}
	return topicKind{}, false
}

func init() {
	topicKinds = []topicKind{
		{
			name:  "indicator",
			forms: []string{"indicator:<id>"},
			check: func(e *Engine, arg string) error {
				if _, ok := e.ref.ByID[arg]; !ok {
					return fmt.Errorf("unknown indicator %q", truncate(arg, 40))
				}
				return nil
			},
			version: func(e *Engine, arg string) int64 { return e.VersionOf(arg, population) },
			payload: func(ctx context.Context, e *Engine, arg string, version int64) (any, error) {
				reg, err := e.Regional(ctx, e.ref.ByID[arg], 0, version)
				if err != nil {
					return nil, err
				}
				return map[string]any{"regional": reg.Frame()}, nil
			},
			withChanges: indicatorChanges,
			onData: func(e *Engine, obs []indicators.Observation) []string {
				var out []string
				for _, o := range obs {
					for _, id := range append([]string{o.Indicator}, e.ref.Dependents(o.Indicator)...) {
						out = append(out, "indicator:"+id)
					}
				}
				return out
			},
		},
		{
			name:  "country",
			forms: []string{"country:<ISO3>"},
			check: func(e *Engine, arg string) error {
				if !e.ref.Known(arg) {
					return fmt.Errorf("unknown country %q", truncate(arg, 20))
				}
				return nil
			},
			payload: func(ctx context.Context, e *Engine, arg string, version int64) (any, error) {
				return e.Summary(ctx, arg, version)
			},
			onData: func(e *Engine, obs []indicators.Observation) []string {
				var out []string
				for _, o := range obs {
					out = append(out, "country:"+o.ISO3)
				}
				return out
			},
		},
		{
			name:    "milestones",
			forms:   []string{"milestones"},
			check:   noArgument("milestones"),
			version: func(e *Engine, _ string) int64 { return e.milestonesVersion() },
			payload: func(ctx context.Context, e *Engine, _ string, version int64) (any, error) {
				return e.Milestones(ctx, version)
			},
			onData: func(e *Engine, obs []indicators.Observation) []string {
				for _, o := range obs {
					for _, id := range append([]string{o.Indicator}, e.ref.Dependents(o.Indicator)...) {
						if len(e.ref.Measured(id)) > 0 {
							return []string{"milestones"}
						}
					}
				}
				return nil
			},
		},
		{
			name:    "rounds",
			forms:   []string{"rounds"},
			check:   noArgument("rounds"),
			version: func(e *Engine, _ string) int64 { return e.VersionOf(codeIndicator) },
			payload: func(ctx context.Context, e *Engine, _ string, version int64) (any, error) {
				return e.Rounds(ctx, version)
			},
			onData: func(e *Engine, obs []indicators.Observation) []string {
				for _, o := range obs {
					if o.Indicator == codeIndicator {
						return []string{"rounds"}
					}
				}
				return nil
			},
		},
		{
			name:  "chart",
			forms: []string{"chart:<name>?<query>"},
			check: func(e *Engine, arg string) error {
				_, err := e.parseChartTopic(arg)
				return err
			},
			canonical: func(e *Engine, arg string) (string, error) {
				r, err := e.parseChartTopic(arg)
				if err != nil {
					return "", err
				}
				return r.Canonical(), nil
			},
			slow: true,
			version: func(e *Engine, arg string) int64 {
				r, err := e.parseChartTopic(arg)
				if err != nil {
					return e.global()
				}
				return e.chartVersion(r)
			},
			payload: func(ctx context.Context, e *Engine, arg string, version int64) (any, error) {
				r, err := e.parseChartTopic(arg)
				if err != nil {
					return nil, err
				}
				return e.BuildChart(ctx, r, version)
			},
			affected: func(e *Engine, arg string, changed map[string]bool) bool {
				r, err := e.parseChartTopic(arg)
				if err != nil {
					return false
				}
				for _, id := range r.dependsOn(e.ref) {
					if changed[id] {
						return true
					}
				}
				return false
			},
		},
		{
			name:  "experiences",
			forms: []string{"experiences", "experiences:<ISO3>"},
			check: func(e *Engine, arg string) error {
				if arg != "" && !e.ref.Known(arg) {
					return fmt.Errorf("unknown country %q", truncate(arg, 20))
				}
				return nil
			},
			// Notices are pushed as they happen; a client that may have
			// missed some reloads the list.
			payload: func(context.Context, *Engine, string, int64) (any, error) {
				return map[string]string{"action": "resync"}, nil
			},
			onExperience: func(iso3 string) []string { return []string{"experiences", "experiences:" + iso3} },
		},
		{
			name:      "control",
			forms:     []string{"control"},
			check:     noArgument("control"),
			onControl: true,
		},
	}
}

func noArgument(kind string) func(*Engine, string) error {
	return func(_ *Engine, arg string) error {
		if arg != "" {
			return fmt.Errorf("topic %q takes no argument", kind)
		}
		return nil
	}
}

// CheckTopic checks a topic a client asks for.
func (e *Engine) CheckTopic(t string) error {
	if len(t) > 512 {
		return fmt.Errorf("topic too long")
	}
	kind, arg, _ := strings.Cut(t, ":")
	k, ok := kindOf(kind)
	if !ok {
		var forms []string
		for _, k := range topicKinds {
			forms = append(forms, k.forms...)
		}
		return fmt.Errorf("unknown topic %q: use %s or %s", truncate(t, 40),
			strings.Join(forms[:len(forms)-1], ", "), forms[len(forms)-1])
	}
	return k.check(e, arg)
}

// CanonicalTopic checks a topic a client asks for and returns its one
// spelling, so that every client showing a view shares one topic: a chart
// topic's parameters in a fixed order, its countries sorted and without
// repeats, its numbers written one way.
func (e *Engine) CanonicalTopic(t string) (string, error) {
	if err := e.CheckTopic(t); err != nil {
		return "", err
	}
	kind, arg, _ := strings.Cut(t, ":")
	if k, _ := kindOf(kind); k.canonical != nil {
		c, err := k.canonical(e, arg)
		if err != nil {
			return "", err
		}
		return kind + ":" + c, nil
	}
	return t, nil
}

// SlowTopic says a topic's payload is costly to compute (see topicKind.slow).
func (e *Engine) SlowTopic(t string) bool {
	kind, _, _ := strings.Cut(t, ":")
	k, _ := kindOf(kind)
	return k.slow
}

// TopicPayload computes a valid topic's payload at a version.
func (e *Engine) TopicPayload(ctx context.Context, topic string, version int64) (any, error) {
	kind, arg, _ := strings.Cut(topic, ":")
	k, ok := kindOf(kind)
	if !ok || k.payload == nil {
		return nil, fmt.Errorf("unknown topic %q", topic)
	}
	return k.payload(ctx, e, arg, version)
}

// WithChanges adds to a topic's cached payload what is specific to one
// write: the rows it changed, which are not part of the version's payload.
func (e *Engine) WithChanges(topic string, body []byte, rows []indicators.Observation) ([]byte, error) {
	kind, arg, _ := strings.Cut(topic, ":")
	if k, _ := kindOf(kind); k.withChanges != nil {
		return k.withChanges(e, arg, body, rows)
	}
	return body, nil
}

func indicatorChanges(e *Engine, arg string, body []byte, rows []indicators.Observation) ([]byte, error) {
	var changed []DataRow
	ind := e.ref.ByID[arg]
	for _, o := range rows {
		if o.Indicator == arg {
			changed = append(changed, e.Row(ind, o))
		}
	}
	if changed == nil {
		return body, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, err
	}
	m["changed"], _ = json.Marshal(changed)
	return json.Marshal(m)
}

// DataTopics lists, sorted, the topics a write of observations changes
// that the write alone names: their indicators, the derived indicators
// built on them, their countries, and the milestones and Code rounds where
// those are measured. The update event carries them to every instance.
func (e *Engine) DataTopics(obs []indicators.Observation) []string {
	set := map[string]bool{}
	for _, k := range topicKinds {
		if k.onData == nil {
			continue
		}
		for _, t := range k.onData(e, obs) {
			set[t] = true
		}
	}
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// ChangedIndicators lists the indicators an update's topics name.
func ChangedIndicators(topics []string) []string {
	var out []string
	for _, t := range topics {
		if id, ok := strings.CutPrefix(t, "indicator:"); ok {
			out = append(out, id)
		}
	}
	return out
}

// AffectedTopics lists the subscribed topics, beyond those an update names,
// that the update's changes alter (charts on the changed indicators).
func (e *Engine) AffectedTopics(updated, subscribed []string) []string {
	changed := map[string]bool{}
	for _, id := range ChangedIndicators(updated) {
		changed[id] = true
	}
	var out []string
	for _, t := range subscribed {
		kind, arg, _ := strings.Cut(t, ":")
		if k, _ := kindOf(kind); k.affected != nil && k.affected(e, arg, changed) {
			out = append(out, t)
		}
	}
	return out
}

// ExperienceTopics lists the topics a change to a country's shared
// experience is pushed to.
func ExperienceTopics(iso3 string) []string {
	var out []string
	for _, k := range topicKinds {
		if k.onExperience != nil {
			out = append(out, k.onExperience(iso3)...)
		}
	}
	return out
}

// ControlTopics lists the topics presenter commands are relayed to.
func ControlTopics() []string {
	var out []string
	for _, k := range topicKinds {
		if k.onControl {
			out = append(out, k.name)
		}
	}
	return out
}

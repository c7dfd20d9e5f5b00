package engine

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

func TestCheckTopic(t *testing.T) {
	e := testEngine(t)
	for _, tc := range []struct {
		topic, err string // err "" is valid
	}{
		{"indicator:HWF_0001", ""},
		{"indicator:NOPE", `unknown indicator "NOPE"`},
		{"country:AUT", ""},
		{"country:aut", `unknown country "aut"`},
		{"milestones", ""},
		{"milestones:x", `topic "milestones" takes no argument`},
		{"rounds", ""},
		{"control", ""},
		{"control:x", `topic "control" takes no argument`},
		{"experiences", ""},
		{"experiences:DEU", ""},
		{"experiences:XXX", `unknown country "XXX"`},
		{"chart:trend?indicator=HWF_0001&countries=AUT", ""},
		{"chart:pie?indicator=HWF_0001", `unknown chart "pie"`},
		{"chart:trend?indicator=HWF_0001&lang=xx", `lang: "xx"`},
		{"news", `unknown topic "news": use indicator:<id>, country:<ISO3>, milestones, rounds, chart:<name>?<query>, experiences, experiences:<ISO3> or control`},
		{strings.Repeat("a", 513), "topic too long"},
	} {
		err := e.CheckTopic(tc.topic)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%.40s: %v", tc.topic, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%.40s: err %v, want one containing %q", tc.topic, err, tc.err)
		}
	}
}

// TestWritesReachTopics checks which topics each kind of write changes.
func TestWritesReachTopics(t *testing.T) {
	e := testEngine(t)
	obs := []indicators.Observation{{Indicator: "HWF_0001", ISO3: "AUT"}, {Indicator: "code_nri_report", ISO3: "DEU"}}
	want := []string{"country:AUT", "country:DEU", "indicator:HWF_0001", "indicator:code_nri_report", "indicator:hwf_dnm", "milestones", "rounds"}
	if got := e.DataTopics(obs); !reflect.DeepEqual(got, want) {
		t.Errorf("data topics: got %v, want %v", got, want)
	}
	// HWF_0006 is also the published parent the nurse and midwife
	// densities are checked against (issue 14): a write to it may withhold
	// or restore their figures.
	if got := e.DataTopics([]indicators.Observation{{Indicator: "HWF_0006", ISO3: "AUT"}}); !reflect.DeepEqual(got,
		[]string{"country:AUT", "indicator:HWF_0006", "indicator:hwf_dnm", "indicator:hwf_midwives_density", "indicator:hwf_nurses_density", "milestones"}) {
		t.Errorf("a derived indicator's input: got %v", got)
	}
	trend := "chart:trend?indicator=HWF_0006"
	subscribed := []string{"chart:code", trend, "chart:milestones", "chart:ranking?indicator=HWF_0004", "country:AUT"}
	if got := e.AffectedTopics([]string{"indicator:HWF_0006", "indicator:hwf_dnm"}, subscribed); !reflect.DeepEqual(got, []string{trend, "chart:milestones"}) {
		t.Errorf("affected charts: got %v", got)
	}
	if got := ExperienceTopics("AUT"); !reflect.DeepEqual(got, []string{"experiences", "experiences:AUT"}) {
		t.Errorf("experience topics: got %v", got)
	}
	if got := ControlTopics(); !reflect.DeepEqual(got, []string{"control"}) {
		t.Errorf("control topics: got %v", got)
	}
	if got := ChangedIndicators(want); !reflect.DeepEqual(got, []string{"HWF_0001", "code_nri_report", "hwf_dnm"}) {
		t.Errorf("changed indicators: got %v", got)
	}
}

// TestTopicPayloadWithoutStore covers the kinds whose payload needs no
// store, and the one with none.
func TestTopicPayloadWithoutStore(t *testing.T) {
	e := testEngine(t)
	p, err := e.TopicPayload(context.Background(), "experiences:AUT", 4)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(p); string(b) != `{"action":"resync"}` {
		t.Errorf("experiences payload %s", b)
	}
	if _, err := e.TopicPayload(context.Background(), "control", 4); err == nil {
		t.Error("control has no payload, want an error")
	}
	body := []byte(`{"regional":{}}`)
	got, err := e.WithChanges("indicator:HWF_0001", body, []indicators.Observation{{Indicator: "HWF_0001", ISO3: "AUT", Year: 2020, Value: 1}, {Indicator: "HWF_0006"}})
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Changed []DataRow `json:"changed"`
	}
	if err := json.Unmarshal(got, &m); err != nil || len(m.Changed) != 1 || m.Changed[0].Country != "Austria" {
		t.Errorf("with changes: %s (%v)", got, err)
	}
	if got, _ := e.WithChanges("country:AUT", body, nil); string(got) != string(body) {
		t.Errorf("country payload changed: %s", got)
	}
}

// TestCanonicalTopic: spellings of one view are one topic; unknown or
// repeated chart parameters are refused, naming them.
func TestCanonicalTopic(t *testing.T) {
	e := testEngine(t)
	for _, tc := range []struct {
		name, topic, want, err string // err "" is valid
	}{
		{"one spelling", "country:AUT", "country:AUT", ""},
		{"parameter order", "chart:trend?time=2000..2020&countries=AUT&indicator=HWF_0001",
			"chart:trend?countries=AUT&indicator=HWF_0001&time=2000..2020", ""},
		{"countries sorted, repeats dropped", "chart:trend?indicator=HWF_0001&countries=DEU,AUT,DEU",
			"chart:trend?countries=AUT%2CDEU&indicator=HWF_0001", ""},
		{"group expanded", "chart:trend?indicator=HWF_0001&countries=EU27",
			"chart:trend?countries=AUT%2CDEU&indicator=HWF_0001", ""},
		{"number spelling", "chart:map?indicator=HWF_0001&scale=1.50", "chart:map?indicator=HWF_0001&scale=1.5", ""},
		{"default scale dropped", "chart:map?indicator=HWF_0001&scale=1.0", "chart:map?indicator=HWF_0001", ""},
		{"relationship x", "chart:relationship?x=HWF_0001&y=HWF_0006", "chart:relationship?indicator=HWF_0001&y=HWF_0006", ""},
		{"unknown parameter", "chart:trend?indicator=HWF_0001&utm_source=x", "", "utm_source"},
		{"x outside relationship", "chart:map?indicator=HWF_0001&x=HWF_0006", "", "x"},
		{"repeated parameter", "chart:trend?indicator=HWF_0001&time=2000&time=2001", "", `"time" given 2 times`},
		{"scale outside the set", "chart:map?indicator=HWF_0001&scale=1.51", "", "scale"},
		{"unknown topic", "news", "", "unknown topic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := e.CanonicalTopic(tc.topic)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("%s: %v", tc.topic, err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("%s: err %v, want one containing %q", tc.topic, err, tc.err)
			case got != tc.want:
				t.Errorf("%s: %q, want %q", tc.topic, got, tc.want)
			}
			if tc.err == "" {
				if again, _ := e.CanonicalTopic(got); again != got {
					t.Errorf("%q is not its own canonical form: %q", got, again)
				}
			}
		})
	}
}

package indicators

import (
	"fmt"
	"sort"
	"strings"
)

// The WHO region name of the European Region in safeguards_list.csv, and its
// code in nri_rounds.csv.
const (
	EuropeanRegion     = "European Region"
	EuropeanRegionCode = "EURO"
	// ReceivedLabel names what hwfdash holds for a reporting round: answers
	// submitted to this dashboard, never reports to WHO.
	ReceivedLabel = "received by hwfdash"
)

// ListResult is a Member State's membership of a published list.
type ListResult struct {
	Status   Status `json:"status"`
	List     string `json:"list"`
	Year     int    `json:"year"`
	Citation string `json:"source_citation"`
	Reason   string `json:"reason"`
	Why      *Why   `json:"why,omitempty"` // Reason, to be said in a page's language (the European Region's only)
	// Criterion is the country's standing on the list's density criterion,
	// as context only (never the status).
	Criterion *CountryResult `json:"criterion,omitempty"`
}

// ListMembership gives a Member State of region its membership of the list
// a MilestoneList milestone names, from the regional counts in facts: a
// region with 0 countries listed makes every Member State not listed; a
// region with listed countries, or no count at all, leaves membership
// unknown (the names are not shipped). criterion, when given, is attached
// as context.
func ListMembership(m Milestone, facts []ListFact, region string, criterion *CountryResult) ListResult {
	r := ListResult{Status: StatusMembershipUnknown, List: m.List, Year: m.ListYear, Criterion: criterion}
	for _, f := range facts {
		if f.List != m.List || f.Year != m.ListYear || f.WHORegion != region {
			continue
		}
		r.Citation = f.Citation
		if f.CountriesListed == 0 {
			r.Status = StatusNotListed
			r.Reason = fmt.Sprintf("not on the %d list: the list names no Member State of the %s", m.ListYear, region)
			r.Why = regionWhy(region, "list_names_none", float64(m.ListYear))
			return r
		}
		r.Reason = fmt.Sprintf("the %d list names %d countries of the %s; which ones is not shipped", m.ListYear, f.CountriesListed, region)
		r.Why = regionWhy(region, "list_names_some", float64(m.ListYear), float64(f.CountriesListed))
		return r
	}
	r.Reason, r.Why = because("list_no_breakdown", nil, float64(m.ListYear))
	return r
}

// RoundResult is a Code reporting round: the cited facts first, then what
// hwfdash has received, named as such.
type RoundResult struct {
	Round         int `json:"round"`
	ReportingYear int `json:"reporting_year"`
	// Cited holds the round's facts as cited: the European Region's first,
	// then the global ones.
	Cited []RoundFact `json:"cited"`
	// Interim is set where any cited figure is an interim count.
	Interim bool `json:"interim"`
	// Received counts the Member States' answers received by hwfdash.
	Received      map[Status]int    `json:"received"`
	ReceivedLabel string            `json:"received_label"`
	Countries     map[string]Status `json:"countries"`
	// AnyReceived is false while nothing was received: a page then shows
	// that per-country answers arrive by submission, never "0 of 53".
	AnyReceived bool   `json:"any_received"`
	Headline    string `json:"headline"`
	// Why is Headline as a message, for a page in another language.
	Why *Why `json:"why,omitempty"`
}

// RoundSummary gives a reporting round's result. answers are the Member
// States' yes/no answers (one indicator) received by hwfdash, any years;
// only those of the round's reporting year count.
func RoundSummary(round Round, facts []RoundFact, answers map[string][]Observation, members []Country) RoundResult {
	r := RoundResult{Round: round.Number, ReportingYear: round.Year, ReceivedLabel: ReceivedLabel,
		Received:  map[Status]int{StatusReceivedYes: 0, StatusReceivedNo: 0, StatusNotReceived: 0},
		Countries: map[string]Status{}}
	for _, f := range facts {
		if f.Round == round.Number {
			r.Cited = append(r.Cited, f)
			if strings.Contains(strings.ToLower(f.AsOf), "interim") {
				r.Interim = true
			}
		}
	}
	sort.SliceStable(r.Cited, func(i, j int) bool {
		return r.Cited[i].WHORegion == EuropeanRegionCode && r.Cited[j].WHORegion != EuropeanRegionCode
	})
	for _, c := range members {
		s := StatusNotReceived
		for _, o := range answers[c.ISO3] {
			if o.Year == round.Year {
				s = StatusReceivedNo
				if o.Value >= 1 {
					s = StatusReceivedYes
				}
			}
		}
		r.Countries[c.ISO3] = s
		r.Received[s]++
	}
	r.AnyReceived = r.Received[StatusNotReceived] < len(members)
	r.Headline, r.Why = roundHeadline(r, len(members))
	return r
}

// roundHeadline states the cited facts, and what hwfdash received only when
// it received something: its English text and its Why.
func roundHeadline(r RoundResult, total int) (string, *Why) {
	var parts []*Why
	for _, f := range r.Cited {
		if f.Number == nil {
			continue
		}
		key := "fact_global"
		if f.WHORegion == EuropeanRegionCode {
			key = "fact_region"
		} else if f.WHORegion != "ALL" {
			continue
		}
		if strings.Contains(strings.ToLower(f.AsOf), "interim") {
			key += "_interim"
		}
		parts = append(parts, &Why{Key: key, Nums: []float64{*f.Number}, Metric: f.Metric})
	}
	w := &Why{Key: "round_facts", Nums: []float64{float64(r.Round), float64(r.ReportingYear)}, Parts: parts}
	if len(parts) == 0 {
		w = &Why{Key: "round_no_facts", Nums: w.Nums}
	}
	if r.AnyReceived {
		w = &Why{Key: "round_received", Nums: []float64{float64(total - r.Received[StatusNotReceived]), float64(total)}, Sub: w}
	}
	return w.English(), w
}

// regionWhy is a list reason's Why, whose messages name the European
// Region: nil for another region (its English Reason is then said as is).
func regionWhy(region, key string, nums ...float64) *Why {
	if region != EuropeanRegion {
		return nil
	}
	return &Why{Key: key, Nums: nums}
}

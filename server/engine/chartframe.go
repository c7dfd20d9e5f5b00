package engine

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// maxTop is the largest top=N of a compact ranking: from each end, half the
// Region (more is the whole ranking).
const maxTop = 26

// parseFrame reads the parameters an embed sets for its frame: top=N, a
// compact ranking of the N highest and N lowest Member States (the rest
// dropped, so a 400 px frame stays legible), and highlight=ISO3, the
// embedding country, marked and always kept.
func (r *ChartRequest) parseFrame(q url.Values, known func(string) bool) error {
	if s := q.Get("top"); s != "" {
		if r.Name != "ranking" {
			return badParam("top", errors.New("only the ranking has a compact view"))
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxTop {
			return badParam("top", fmt.Errorf("%q: a whole number from 1 to %d", truncate(s, 10), maxTop))
		}
		r.Top = n
	}
	if s := q.Get("highlight"); s != "" {
		if r.Name != "ranking" && r.Name != "map" {
			return badParam("highlight", errors.New("only the ranking and the map mark a country"))
		}
		iso3 := strings.ToUpper(s)
		if !known(iso3) {
			return badParam("highlight", fmt.Errorf("%q is not a Member State of the WHO European Region", truncate(s, 20)))
		}
		r.Highlight = iso3
	}
	return nil
}

// frameParams adds the frame's parameters to a canonical query.
func (r ChartRequest) frameParams(v url.Values) {
	if r.Top != 0 {
		v.Set("top", strconv.Itoa(r.Top))
	}
	if r.Highlight != "" {
		v.Set("highlight", r.Highlight)
	}
}

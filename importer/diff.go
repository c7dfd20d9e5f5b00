package importer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/hwfdash/hwfdash/indicators"
)

// ChangeKind is what applying a row would do.
type ChangeKind string

// The kinds of change a diff reports.
const (
	New       ChangeKind = "new"
	Changed   ChangeKind = "changed"
	Unchanged ChangeKind = "unchanged"
)

// Change is one accepted row against the store: Old is the stored revision
// it would replace (nil for a new row).
type Change struct {
	Kind ChangeKind              `json:"kind"`
	Line int                     `json:"line"`
	New  indicators.Observation  `json:"new"`
	Old  *indicators.Observation `json:"old,omitempty"`
}

// Count is one indicator and country's tally.
type Count struct {
	Indicator string `json:"indicator"`
	ISO3      string `json:"iso3"`
	New       int    `json:"new"`
	Changed   int    `json:"changed"`
	Unchanged int    `json:"unchanged"`
}

// Plan is a reviewed diff: what applying Result would write, computed at
// the data version BaseVersion.
type Plan struct {
	Result      *Result  `json:"result"`
	BaseVersion int64    `json:"base_version"`
	Changes     []Change `json:"changes"`
	Counts      []Count  `json:"counts"`
}

// Writes returns the rows Apply would write: new and changed ones.
func (p *Plan) Writes() []indicators.Observation {
	var out []indicators.Observation
	for _, c := range p.Changes {
		if c.Kind != Unchanged {
			out = append(out, c.New)
		}
	}
	return out
}

// Tally counts the changes of one kind.
func (p *Plan) Tally(k ChangeKind) int {
	n := 0
	for _, c := range p.Changes {
		if c.Kind == k {
			n++
		}
	}
	return n
}

// Reader is the store as Diff reads it.
type Reader interface {
	Latest(ctx context.Context, q indicators.Query) ([]indicators.Observation, error)
	Version(ctx context.Context) (int64, error)
}

// Diff compares res with the newest stored revisions. A row is unchanged
// when value, break and estimate flags are the stored ones: a new access
// date or wording of the source alone is not a new figure.
func Diff(ctx context.Context, st Reader, res *Result) (*Plan, error) {
	version, err := st.Version(ctx)
	if err != nil {
		return nil, fmt.Errorf("importer: diff: %w", err)
	}
	inds := map[string]bool{}
	for _, o := range res.Observations {
		inds[o.Indicator] = true
	}
	plan := &Plan{Result: res, BaseVersion: version, Changes: make([]Change, 0, len(res.Observations))}
	latest := map[indicators.Key]indicators.Observation{}
	if len(inds) > 0 {
		q := indicators.Query{}
		for id := range inds {
			q.Indicators = append(q.Indicators, id)
		}
		slices.Sort(q.Indicators)
		rows, err := st.Latest(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("importer: diff: %w", err)
		}
		for _, o := range rows {
			latest[o.Key()] = o
		}
	}
	counts := map[[2]string]*Count{}
	for i, o := range res.Observations {
		c := Change{Kind: New, Line: res.Lines[i], New: o}
		if old, ok := latest[o.Key()]; ok {
			c.Old = &old
			c.Kind = Changed
			if old.Value == o.Value && old.Break == o.Break && old.Estimate == o.Estimate {
				c.Kind = Unchanged
			}
		}
		plan.Changes = append(plan.Changes, c)
		k := [2]string{o.Indicator, o.ISO3}
		n := counts[k]
		if n == nil {
			n = &Count{Indicator: o.Indicator, ISO3: o.ISO3}
			counts[k] = n
		}
		switch c.Kind {
		case New:
			n.New++
		case Changed:
			n.Changed++
		default:
			n.Unchanged++
		}
	}
	for _, n := range counts {
		plan.Counts = append(plan.Counts, *n)
	}
	slices.SortFunc(plan.Counts, func(a, b Count) int {
		return cmp.Or(cmp.Compare(a.Indicator, b.Indicator), cmp.Compare(a.ISO3, b.ISO3))
	})
	return plan, nil
}

// Writer is the store as Apply writes to it.
type Writer interface {
	AppendRevision(ctx context.Context, obs []indicators.Observation, rev indicators.Revision, baseVersion int64) (indicators.Revision, error)
}

// ApplyOptions configure Apply.
type ApplyOptions struct {
	// Author is recorded on every revision ("import" when empty).
	Author string
	// SkipRejected applies the accepted rows of a file that has rejected
	// ones; without it such a file changes nothing.
	SkipRejected bool
}

// ErrNothingToApply: every row is unchanged; no revision is written.
var ErrNothingToApply = errors.New("importer: nothing to apply: every row is already stored")

// ErrRejectedRows: the file has rejected rows and SkipRejected is off.
var ErrRejectedRows = errors.New("importer: the file has rejected rows")

// Apply writes the plan's new and changed rows as one revision with the
// file's provenance, refused (indicators.ErrConflict) if the store changed
// since Diff. The returned revision's Version, Indicators and Countries are
// what an update event needs.
func Apply(ctx context.Context, st Writer, plan *Plan, opt ApplyOptions) (indicators.Revision, error) {
	res := plan.Result
	if len(res.Rejected) > 0 && !opt.SkipRejected {
		return indicators.Revision{}, fmt.Errorf("%w (%d): fix the file or the mapping, or skip them explicitly", ErrRejectedRows, len(res.Rejected))
	}
	rows := plan.Writes()
	if len(rows) == 0 {
		return indicators.Revision{}, ErrNothingToApply
	}
	if opt.Author == "" {
		opt.Author = "import"
	}
	rev := indicators.Revision{Author: opt.Author, Source: res.Source, Vintage: res.Vintage, Format: string(res.Format),
		Mapping: res.Mapping, File: res.File, SHA256: res.SHA256}
	out, err := st.AppendRevision(ctx, rows, rev, plan.BaseVersion)
	if err != nil {
		return indicators.Revision{}, fmt.Errorf("importer: apply: %w", err)
	}
	return out, nil
}

// WriteText prints the plan for review: the file, the tally per indicator
// and country, each new and changed row (at most detail of them; <0 for
// all), the ignored rows by reason and every rejected row.
func (p *Plan) WriteText(w io.Writer, detail int) error {
	res := p.Result
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s, mapping %s, %s (%s)\nsha256 %s; %d rows read at data version %d\n",
		res.File, res.Format, res.Mapping, res.Source, res.Vintage, res.SHA256, res.Rows, p.BaseVersion)
	fmt.Fprintf(&b, "new %d, changed %d, unchanged %d, ignored %d, rejected %d\n",
		p.Tally(New), p.Tally(Changed), p.Tally(Unchanged), res.IgnoredRows(), len(res.Rejected))
	if len(p.Counts) > 0 {
		b.WriteString("\n")
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "indicator\tcountry\tnew\tchanged\tunchanged\t")
		for _, c := range p.Counts {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t\n", c.Indicator, c.ISO3, c.New, c.Changed, c.Unchanged)
		}
		tw.Flush()
	}
	shown := 0
	for _, c := range p.Changes {
		if c.Kind == Unchanged {
			continue
		}
		if detail >= 0 && shown >= detail {
			fmt.Fprintf(&b, "  … %d more (-detail -1 lists all)\n", p.Tally(New)+p.Tally(Changed)-shown)
			break
		}
		if shown == 0 {
			b.WriteString("\nnew and changed:\n")
		}
		shown++
		fmt.Fprintf(&b, "  %-7s %s %s %d: ", c.Kind, c.New.Indicator, c.New.ISO3, c.New.Year)
		if c.Old != nil {
			fmt.Fprintf(&b, "%s → ", figure(*c.Old))
		}
		fmt.Fprintf(&b, "%s (line %d)", figure(c.New), c.Line)
		if c.Old != nil && c.Old.Author != "" {
			fmt.Fprintf(&b, " [was by %s]", c.Old.Author)
		}
		b.WriteString("\n")
	}
	if len(res.Ignored) > 0 {
		b.WriteString("\nignored:\n")
		for _, ig := range res.Ignored {
			area := ""
			if ig.Area != "" {
				area = " " + ig.Area
			}
			fmt.Fprintf(&b, "  %d × %s%s\n", ig.Rows, ig.Reason, area)
		}
	}
	if len(res.Rejected) > 0 {
		b.WriteString("\nrejected:\n")
		for _, pr := range res.Rejected {
			fmt.Fprintf(&b, "  %s\n", pr.Error())
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func figure(o indicators.Observation) string {
	s := fmt.Sprintf("%g", o.Value)
	var flags []string
	if o.Break {
		flags = append(flags, "break")
	}
	if o.Estimate {
		flags = append(flags, "estimate")
	}
	if len(flags) > 0 {
		s += " [" + strings.Join(flags, ", ") + "]"
	}
	return s
}

package charts

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/hwfdash/hwfdash/indicators"
)

// Style adapts charts to where they are shown.
type Style struct {
	// FontScale multiplies text sizes: 1 on a page, 2 on a projector.
	FontScale float64
	// T translates the charts' own labels by message key ("chart.year");
	// nil keeps the English given with each.
	T func(key string) string
	// Point is the language's decimal mark, for numbers inside sentences
	// ("" is ".").
	Point string
	// Credit names an indicator's sources in a subtitle as a reader cites
	// them (publisher and database; the code and vintage are the figure's
	// source line's), in the chart's language; nil names the catalogue's
	// source (LocalSource).
	Credit func(ind indicators.Indicator) string
}

// colon is the colon after a label in the chart's language (French sets
// it apart: " :").
func (st Style) colon() string { return st.t("punct.colon", ":") }

// semicolon joins a subtitle's parts in the chart's language (French sets
// it apart: " ; ").
func (st Style) semicolon() string { return st.t("punct.semicolon", "; ") }

// num writes a number inside a chart's words (a target's label) with the
// language's decimal mark: "44,5" on a French page.
func (st Style) num(v float64) string {
	s := fmtNum(v)
	if st.Point != "" && st.Point != "." {
		s = strings.Replace(s, ".", st.Point, 1)
	}
	return s
}

// why says a reason in the chart's language (its English without T).
func (st Style) why(w *indicators.Why, english string) string {
	if w == nil || st.T == nil {
		return english
	}
	point := st.Point
	if point == "" {
		point = "."
	}
	return w.Text(func(k string) string {
		if s := st.T(k); !strings.HasPrefix(s, "\u27e6") {
			return s
		}
		return ""
	}, point)
}

// t gives a chart label in the chart's language.
func (st Style) t(key, english string) string {
	if st.T == nil {
		return english
	}
	return st.T(key)
}

// f formats a chart sentence (an aria description) from its message in
// the chart's language; each language keeps the English verbs in order
// (TestMessageVerbs in package public).
func (st Style) f(key, english string, args ...any) string {
	return fmt.Sprintf(st.t(key, english), args...)
}

func (st Style) px(n float64) int {
	s := st.FontScale
	if s <= 0 {
		s = 1
	}
	return int(math.Round(n * s))
}

// title is the shared title block: the chart's name in bold over a
// subtitle of its sources that breaks at subWidth.
func (st Style) title(text, sub string) opts.Title {
	return opts.Title{Title: text, Subtitle: sub, Left: "left",
		TitleStyle:    &opts.TextStyle{FontSize: st.px(titleSize), FontWeight: "bold"},
		SubtitleStyle: &opts.TextStyle{FontSize: st.px(subSize), Width: subWidth, Overflow: "break"}}
}

// LocalSource is an indicator's source line in a page's language (t gives
// a message by key, or the English given): the catalogue's derived
// indicators credit "hwfdash, from <publisher> and <publisher>", whose
// publishers' names stay and whose words are the page's.
func LocalSource(src string, t func(key, english string) string) string {
	rest, ok := strings.CutPrefix(src, "hwfdash, from ")
	if !ok {
		return src
	}
	return t("chart.hwfdash_from", "hwfdash, from") + " " + strings.Replace(rest, " and ", " "+t("chart.and", "and")+" ", 1)
}

// yearLabel is a single year for a subtitle; "" where there is none (an
// indicator no Member State has a value of yet), which the subtitle then
// leaves out rather than reading "Year: 0".
func yearLabel(y int) string {
	if y <= 0 {
		return ""
	}
	return strconv.Itoa(y)
}

// yearTitle is a one-year chart's title: the indicator's name and its
// year, or the name alone where there is no year.
func yearTitle(name string, y int) string {
	if y <= 0 {
		return name
	}
	return fmt.Sprintf("%s, %d", name, y)
}

// noValues is the description of a one-year chart of an indicator no
// Member State has a value of: there is no year to describe.
func (st Style) noValues(name string) string {
	return st.f("chart.desc_no_values", "%s: no Member State has a value yet.", name)
}

// sourceLine summarises sources for a subtitle.
func (st Style) sourceLine(ind indicators.Indicator, years string) string {
	var src string
	if st.Credit != nil {
		src = st.Credit(ind)
	} else {
		src = LocalSource(ind.Source, st.t)
	}
	s := st.t("col.source", "Source") + st.colon() + " " + src
	if years != "" {
		s += st.semicolon() + st.t("col.year", "Year") + st.colon() + " " + years
	}
	return s
}

// countryFont is the size of the Member States' names on a category axis
// of the whole Region (53 rows): it grows with FontScale only up to what 53
// rows fit in a projector's slide.
func countryFont(st Style) int {
	return min(st.px(labelSize), labelSize)
}

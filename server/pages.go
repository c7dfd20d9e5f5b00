package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/hwfdash/hwfdash/feed"
	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/public"
	"github.com/hwfdash/hwfdash/server/engine"
)

// pageNames are the page templates, each rendered inside layout.html.
var pageNames = []string{"overview", "countries", "country", "indicators", "indicator", "milestones", "roadmap", "notfound",
	"present", "control", "embed_country", "embed_chart", "submit", "experiences", "admin_import", "methods"}

// pages renders the server-side HTML.
type pages struct {
	tmpl map[string]*template.Template
}

// chartRef is a chart placed on a page.
type chartRef struct {
	Name, Query, Label string
}

func newPages(a *public.Assets) (*pages, error) {
	funcs := template.FuncMap{
		"asset": a.Path,
		"chart": func(name, query, label string) chartRef { return chartRef{name, query, label} },
		"roadmapRows": func(lang, caption, scope string, rows []engine.RoadmapMilestone) roadmapTable {
			return roadmapTable{lang, caption, scope, rows}
		},
		"nameWithUnit": nameWithUnit,
		// The loading row stands for one of n rows; the others are placeholders.
		"placeholderRows": func(n int) []struct{} { return make([]struct{}, max(n-1, 0)) },
		// Bound per request to the page's language (see render).
		"t":         func(string) string { return "" },
		"colon":     func() string { return ":" },
		"copyLabel": func(l string) string { return l },
		"ind":       func(string) string { return "" },
		"msTitle":   func(id, def string) string { return def },
		"group":     func(name string) string { return name },
		"localNote": func(_, english string) localText { return localText{Text: english, English: true} },
		"why":       func(_ *indicators.Why, reason string) string { return reason },
	}
	p := &pages{tmpl: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(public.Templates(), "templates/layout.html", "templates/panels.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("server: parse template %s: %w", name, err)
		}
		p.tmpl[name] = t
	}
	return p, nil
}

// pageData is what every page template gets.
type pageData struct {
	Lang, Title, Page, BodyClass, Topics string
	// Description is the page's meta description (search results): a
	// per-page text in the page's language, set in render if empty.
	Description          string
	Version              int64
	Embed                bool
	CurrentYear          int
	Countries            []indicators.Country
	Groups               []string
	Country              indicators.Country
	Indicator            indicators.Indicator
	Categories           []category
	Milestones           []engine.MilestoneResult
	Roadmap              *engine.RoadmapResult
	TrendQuery, MapQuery string
	Message              string
	Chart                chartRef
	Interval             int
	// Code and Distances are the overview's and the projector's first
	// panels: the cited Code facts, and the distances that vary.
	Code      *codeView
	Distances *distancesView
	// Methods are the /methods page's sections.
	Methods []methodsSection
	// Intervals are the seconds per slide the operator may pick.
	Intervals []int
	// Notice is a message shown at the top of the page, e.g. why a
	// parameter was not used.
	Notice string
	// NoData is set on an indicator page when the indicator has no value at
	// all yet: the page invites a submission instead of an empty chart.
	NoData bool
	// Range is the indicator's valid range, as text ("0–100").
	Range string
	// FirstYear and LastYear span the indicator's values (the explorer's
	// hint); DefaultCountries is its view when the link names none.
	FirstYear, LastYear int
	DefaultCountries    string
	// Chips are the explorer's selected countries, drawn in the page as
	// explorer.js draws them: the picker has its height from the first
	// paint instead of growing (a layout shift) when the script runs.
	Chips []indicators.Country
	// Selected is the indicator the submission form was opened for.
	Selected   *indicators.Indicator
	SubmitCSV  string
	Languages  []langLink
	JSMessages string
	// Experiences: the topics, the current filter, the indicators and
	// milestones an entry may name, and their names for the page script.
	ExpTopics     []refItem
	ExpFilter     indicators.ExperienceQuery
	RefIndicators []refItem
	RefMilestones []refItem
	ExpRefs       string
	// Citation is the indicator page's series as a reader cites it, in the
	// page's language: its table shows it for each shipped figure.
	Citation string
	// Imports are the applied imports an indicator page's figures come
	// from; Formats the import formats the admin page offers.
	Imports []ImportSource
	Formats []string
	// AsOf is the data version a pinned page shows (as_of); 0 is live.
	// A pinned page says so, links to LiveURL and subscribes to nothing.
	AsOf    int64
	LiveURL string
	// FeedPath is the Atom feed of changes to what the page shows.
	FeedPath string
	// Freshness is, per indicator, when its data last changed and the
	// publisher's vintage (the country page).
	Freshness []freshnessRow
	// SummaryRows is how many rows the country table will have: its box
	// is reserved before they load (no layout shift).
	SummaryRows int
	// eng is the engine the page reads from: pinned when AsOf is set.
	eng *engine.Engine
}

// freshnessRow is one indicator's freshness on the country page.
type freshnessRow struct {
	ID, Name, LastUpdated, Vintage, NextUpdate, NextBasis string
}

// refItem is an id with its name in the page's language.
type refItem struct {
	ID, Name string
}

// langLink is one entry of the language switcher.
type langLink struct {
	Code, Name, Href string
	Current          bool
}

var languageNames = map[string]string{"en": "English", "fr": "Français", "de": "Deutsch", "ru": "Русский"}

type category struct {
	Name string
	// Key is the WHA64.6 area, or the category for indicators outside them.
	Key string
	// Other is set for a group outside the WHA64.6 information areas.
	Other      bool
	Indicators []indicators.Indicator
}

func (s *Server) pageRoutes() {
	if s.deps.Assets == nil {
		return
	}
	a := s.app
	a.Get("/assets/*", s.getAsset)
	// Browsers ask for /favicon.ico whatever the page links: send them to
	// the hashed SVG icon (the pages link it too, and it is cached for a
	// year under its hashed name). A temporary redirect, cached for a day,
	// because the hashed name changes when the icon does.
	a.Get("/favicon.ico", func(c *fiber.Ctx) error {
		icon := s.deps.Assets.Path("favicon.svg")
		if icon == "" {
			return notFound("asset", "no favicon")
		}
		c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
		return c.Redirect(icon, fiber.StatusFound)
	})
	// Pages are rendered per request, so compressed per request too (assets
	// come compressed already): brotli's default level takes a fraction of
	// a millisecond and cuts the HTML to about a fifth.
	z := compress.New(compress.Config{Level: compress.LevelDefault})
	a.Get("/", z, s.page("overview", s.overviewPage))
	a.Get("/countries", z, s.page("countries", s.countriesPage))
	a.Get("/countries/:iso3", z, s.page("country", s.countryPage))
	a.Get("/indicators", z, s.page("indicators", s.indicatorsPage))
	a.Get("/indicators/:id", z, s.page("indicator", s.indicatorPage))
	a.Get("/milestones", z, s.page("milestones", s.milestonesPage))
	a.Get("/roadmap", z, s.page("roadmap", s.roadmapPage))
	a.Get("/present", z, s.page("present", s.presentPage))
	a.Get("/present/control", z, s.page("control", s.controlPage))
	a.Get("/admin/import", z, s.page("admin_import", s.importPage))
	a.Get("/submit", z, s.page("submit", s.submitPage))
	a.Get("/experiences", z, s.page("experiences", s.experiencesPage))
	a.Get("/methods", z, s.page("methods", s.methodsPage))
	a.Get("/embed/countries/:iso3", z, s.page("embed_country", s.embedCountryPage))
	a.Get("/embed/charts/:chart", z, s.page("embed_chart", s.embedChartPage))
}

func (s *Server) getAsset(c *fiber.Ctx) error {
	body, ctype, enc, ok := s.deps.Assets.Get(c.Params("*"), c.Get(fiber.HeaderAcceptEncoding))
	if !ok {
		return notFound("asset", "no asset %q", truncate(c.Params("*"), 60))
	}
	c.Set(fiber.HeaderContentType, ctype)
	c.Set(fiber.HeaderCacheControl, public.CacheControl)
	c.Set(fiber.HeaderVary, fiber.HeaderAcceptEncoding)
	if enc != "" {
		c.Set(fiber.HeaderContentEncoding, enc)
	}
	return c.Send(body)
}

// page wraps a page builder: it fills the common data and renders.
func (s *Server) page(name string, build func(c *fiber.Ctx, d *pageData) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		lang := public.Negotiate(c.Query("lang"), c.Get(fiber.HeaderAcceptLanguage))
		c.Set(fiber.HeaderContentLanguage, lang)
		c.Set(fiber.HeaderVary, fiber.HeaderAcceptLanguage)
		eng, version, err := s.view(c)
		if err != nil {
			return err
		}
		d := &pageData{Lang: lang, Page: name, Version: version, CurrentYear: s.cfg.CurrentYear(),
			Countries: s.localCountries(lang), Groups: s.ref.GroupNames, AsOf: eng.AsOf(), eng: eng}
		if d.AsOf > 0 {
			d.LiveURL = liveURL(c)
		}
		if err := build(c, d); err != nil {
			var ae *apiError
			if asAPIError(err, &ae) && ae.Status == fiber.StatusNotFound {
				return s.render(c.Status(fiber.StatusNotFound), "notfound", &pageData{Lang: lang, Title: s.msgs.T(lang, "notfound.title"),
					Page: "notfound", Message: ae.Message, Version: d.Version})
			}
			return err
		}
		if d.AsOf > 0 {
			d.Topics = "" // a pinned view never changes: nothing to follow
		}
		return s.render(c, name, d)
	}
}

// liveURL is the request's path and query without as_of: the live view of
// a pinned page.
func liveURL(c *fiber.Ctx) string {
	q, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return c.Path()
	}
	q.Del("as_of")
	if len(q) == 0 {
		return c.Path()
	}
	return c.Path() + "?" + q.Encode()
}

// jsMessagePrefixes are the message groups the page script shows (T in
// public/static/js/i18n.js). Every page carries them in an attribute of
// its body: all of the catalogue was 54 KB of every page's HTML, parsed
// on a phone before the first paint. TestJSMessagesCoverScripts checks
// that every key the scripts name is in one of these groups.
var jsMessagePrefixes = []string{
	"announce.", "chart.", "control.", "coverage.", "dist.", "exp.", "explorer.", "flag.", "import.",
	"indicator.", "live.", "overview.", "pinned.", "present.", "roadmap.", "status.", "submit.", "table.",
	"why.", "code.metric.", "punct.",
}

func (s *Server) render(c *fiber.Ctx, name string, d *pageData) error {
	lang := d.Lang
	q, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		q = url.Values{}
	}
	for _, l := range public.Languages() {
		// The switch keeps the view (countries, tab, years…): only the
		// language changes. The explorer keeps these links in step with
		// its state as it changes (explorer.js).
		q.Set("lang", l)
		d.Languages = append(d.Languages, langLink{Code: l, Name: languageNames[l], Current: l == lang, Href: c.Path() + "?" + q.Encode()})
	}
	if d.Description == "" {
		d.Description = s.msgs.Optional(lang, "meta."+d.Page, s.msgs.T(lang, "meta.default"))
	}
	// A page's feed is in the page's language.
	d.FeedPath = feed.LangPath(d.FeedPath, lang)
	d.JSMessages = s.jsMessages[lang]
	t, err := s.pages.tmpl[name].Clone()
	if err != nil {
		return fmt.Errorf("server: clone template %s: %w", name, err)
	}
	t.Funcs(template.FuncMap{
		"t": func(key string) string { return s.msgs.T(lang, key) },
		// A label's colon as the language writes it (French: after a
		// no-break space).
		"colon": func() string { return s.msgs.T(lang, "punct.colon") },
		// A copy's label (indicators.ClassifyLink) in the page's language.
		"copyLabel": func(l string) string { return s.msgs.Optional(lang, "copy."+strings.ReplaceAll(l, " ", "_"), l) },
		"ind":       func(id string) string { return s.eng.LocalIndicator(lang, s.ref.ByID[id]).Name },
		"msTitle":   func(id, def string) string { return s.msgs.Optional(lang, "ms."+id+".title", def) },
		"group":     func(name string) string { return s.msgs.Optional(lang, "group."+name, name) },
		// A note of hwfdash's kept with the data (on a roadmap document, a
		// milestone's citation) in the page's language by its message key,
		// or in English, marked so for the reader.
		"localNote": func(key, english string) localText {
			if lang == "en" {
				return localText{Text: english, English: true}
			}
			if t := s.msgs.Optional(lang, key, ""); t != "" {
				return localText{Text: t}
			}
			return localText{Text: english, English: true}
		},
		// A status's reason in the page's language; one without a Why
		// (a cited list of another region) keeps its English text.
		"why": func(w *indicators.Why, reason string) string { return s.eng.WhyIn(lang, w, reason) },
	})
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", d); err != nil {
		return fmt.Errorf("server: render %s: %w", name, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(buf.Bytes())
}

// localCountries gives the Member States with their names in a language,
// sorted as a reader of that language expects (Unicode collation:
// "Österreich" beside "Norwegen", not after "Zypern").
func (s *Server) localCountries(lang string) []indicators.Country {
	out := make([]indicators.Country, len(s.ref.Countries))
	for i, c := range s.ref.Countries {
		c.Name = s.msgs.Country(lang, c.ISO3, c.Name)
		out[i] = c
	}
	col := collate.New(language.Make(lang))
	sort.SliceStable(out, func(i, j int) bool { return col.CompareString(out[i].Name, out[j].Name) < 0 })
	return out
}

func (s *Server) overviewPage(c *fiber.Ctx, d *pageData) error {
	d.Title = s.msgs.T(d.Lang, "nav.overview")
	d.Topics = "rounds milestones"
	// The map and ranking's year (issue 19's timeline) is in the URL.
	mq := url.Values{"indicator": {"hwf_dnm"}}
	if y := c.Query("year"); y != "" {
		if _, err := engine.ParseYear(y, s.cfg.CurrentYear()); err != nil {
			return badParam("year", err)
		}
		mq.Set("year", y)
	}
	d.MapQuery = mq.Encode()
	d.FeedPath = feed.Path(indicators.ChangeFilter{})
	return s.codeAndDistances(c, d)
}

// codeAndDistances fills the cited Code facts and the distances the
// overview and the projector open with.
func (s *Server) codeAndDistances(c *fiber.Ctx, d *pageData) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), requestTimeout)
	defer cancel()
	var err error
	if d.Code, err = s.codeFacts(ctx, d.Lang); err != nil {
		return err
	}
	d.Distances, err = s.distances(ctx, d.Lang)
	return err
}

func (s *Server) countriesPage(c *fiber.Ctx, d *pageData) error {
	d.Title = s.msgs.T(d.Lang, "countries.title")
	return nil
}

func (s *Server) countryParam(c *fiber.Ctx) (indicators.Country, error) {
	iso3 := strings.ToUpper(c.Params("iso3"))
	if !s.ref.Known(iso3) {
		return indicators.Country{}, notFound("iso3", "%q is not a Member State of the WHO European Region.", truncate(c.Params("iso3"), 20))
	}
	return s.ref.ByISO3[iso3], nil
}

func (s *Server) countryPage(c *fiber.Ctx, d *pageData) error {
	cty, err := s.countryParam(c)
	if err != nil {
		return err
	}
	cty.Name = s.msgs.Country(d.Lang, cty.ISO3, cty.Name)
	d.Country, d.Title, d.Topics = cty, cty.Name, "country:"+cty.ISO3
	d.Description = cty.Name + ": " + s.msgs.T(d.Lang, "meta.country")
	d.SummaryRows = len(s.ref.Catalogue)
	if d.Embed {
		d.SummaryRows = embedSummaryRows
	}
	if !d.Embed {
		d.Topics += " experiences:" + cty.ISO3
		s.experienceRefsData(d)
		d.FeedPath = feed.Path(indicators.ChangeFilter{Country: cty.ISO3})
		return s.freshnessData(c, d)
	}
	return nil
}

// experienceRefsData gives a page what it needs to show and file
// experiences: topic labels, and the indicators and milestones (with their
// names in the page's language) that an entry may name.
func (s *Server) experienceRefsData(d *pageData) {
	d.ExpTopics = nil
	for _, t := range indicators.ExperienceTopics() {
		d.ExpTopics = append(d.ExpTopics, refItem{ID: t, Name: s.msgs.T(d.Lang, "exp.topic."+t)})
	}
	names := map[string]map[string]string{"indicators": {}, "milestones": {}}
	d.RefIndicators, d.RefMilestones = nil, nil
	for _, ind := range s.ref.Catalogue {
		name := s.eng.LocalIndicator(d.Lang, ind).Name
		d.RefIndicators = append(d.RefIndicators, refItem{ID: ind.ID, Name: name})
		names["indicators"][ind.ID] = name
	}
	for _, m := range s.ref.Milestones {
		title := s.msgs.Optional(d.Lang, "ms."+m.ID+".title", m.Title)
		d.RefMilestones = append(d.RefMilestones, refItem{ID: m.ID, Name: title})
		names["milestones"][m.ID] = title
	}
	b, _ := json.Marshal(names)
	d.ExpRefs = string(b)
}

// experiencesPage is the regional feed of country experiences. Its filter
// is in the query, validated like the API's, so the URL is a permalink.
func (s *Server) experiencesPage(c *fiber.Ctx, d *pageData) error {
	d.Title, d.Topics = s.msgs.T(d.Lang, "exp.title"), "experiences"
	if v := c.Query("topic"); v != "" {
		if !indicators.IsExperienceTopic(v) {
			return badParam("topic", fmt.Errorf("%q: use one of %s", truncate(v, 40), strings.Join(indicators.ExperienceTopics(), ", ")))
		}
		d.ExpFilter.Topic = v
	}
	if v := c.Query("country"); v != "" {
		if !s.ref.Known(strings.ToUpper(v)) {
			return badParam("country", fmt.Errorf("unknown country %q", truncate(v, 20)))
		}
		d.ExpFilter.Country = strings.ToUpper(v)
	}
	if v := c.Query("indicator"); v != "" {
		if _, ok := s.ref.ByID[v]; !ok {
			return badParam("indicator", fmt.Errorf("unknown indicator %q", truncate(v, 60)))
		}
		d.ExpFilter.Indicator = v
	}
	s.experienceRefsData(d)
	return nil
}

func (s *Server) indicatorsPage(c *fiber.Ctx, d *pageData) error {
	d.Title = s.msgs.T(d.Lang, "indicators.title")
	// The WHA64.6 information areas first, in the resolution's order, each
	// shown even if it had no indicator (it always has one: a test checks);
	// then the indicators outside them, by category.
	byArea := map[indicators.Area][]indicators.Indicator{}
	byCat := map[indicators.Category][]indicators.Indicator{}
	var order []indicators.Category
	for _, ind := range s.ref.Catalogue {
		if ind.Area != "" {
			byArea[ind.Area] = append(byArea[ind.Area], s.eng.LocalIndicator(d.Lang, ind))
			continue
		}
		if _, ok := byCat[ind.Category]; !ok {
			order = append(order, ind.Category)
		}
		byCat[ind.Category] = append(byCat[ind.Category], s.eng.LocalIndicator(d.Lang, ind))
	}
	for _, a := range indicators.InformationAreas() {
		d.Categories = append(d.Categories, category{Name: s.msgs.T(d.Lang, "area."+string(a)), Key: string(a), Indicators: byArea[a]})
	}
	for _, cat := range order {
		d.Categories = append(d.Categories, category{Name: s.msgs.Optional(d.Lang, "cat."+string(cat), string(cat)),
			Key: string(cat), Other: true, Indicators: byCat[cat]})
	}
	return nil
}

// indicatorPage is the explorer. Its whole view state is in the query, so
// the URL is a permalink; the query is validated like the API's.
func (s *Server) indicatorPage(c *fiber.Ctx, d *pageData) error {
	ind, err := s.indicatorParam(c)
	if err != nil {
		return err
	}
	q, err := s.parseDataQuery(c)
	if err != nil {
		return err
	}
	d.Indicator = s.eng.LocalIndicator(d.Lang, ind)
	d.Citation = s.eng.CitationIn(d.Lang, ind)
	d.Title, d.Topics = d.Indicator.ShortName, "indicator:"+ind.ID
	d.Description = d.Indicator.Name + " " + s.msgs.T(d.Lang, "meta.indicator")
	d.Range = rangeText(ind)
	d.FeedPath = feed.Path(indicators.ChangeFilter{Indicator: ind.ID})
	ctx, cancel := context.WithTimeout(c.UserContext(), requestTimeout)
	defer cancel()
	all, err := d.eng.Series(ctx, ind, nil, engine.TimeRange{})
	if err != nil {
		return err
	}
	d.NoData = len(all) == 0
	d.FirstYear, d.LastYear = yearSpan(all)
	// A link naming no countries (not even an empty list) opens on the
	// Region's spread; "countries=" is the explorer's cleared view.
	if !c.Request().URI().QueryArgs().Has("countries") && !d.NoData {
		q.Countries = defaultCountries(all)
		d.DefaultCountries = strings.Join(q.Countries, ",")
	}
	if d.Imports, err = s.importSources(ctx, ind); err != nil {
		return err
	}
	names := make(map[string]string, len(d.Countries))
	for _, c := range d.Countries {
		names[c.ISO3] = c.Name
	}
	// The chips are the link's own list as explorer.js reads it (a group's
	// name stays one chip), or the default view.
	chips := q.Countries
	if c.Request().URI().QueryArgs().Has("countries") {
		chips = nil
		for _, v := range strings.Split(c.Query("countries"), ",") {
			if v != "" {
				chips = append(chips, strings.ToUpper(v))
			}
		}
	}
	for _, iso3 := range chips {
		name := names[iso3]
		if name == "" {
			name = iso3 // as explorer.js shows a code it has no name for
		}
		d.Chips = append(d.Chips, indicators.Country{ISO3: iso3, Name: name})
	}
	trend := url.Values{"indicator": {ind.ID}}
	if d.Lang != "en" {
		trend.Set("lang", d.Lang)
	}
	if len(q.Countries) > 0 {
		trend.Set("countries", strings.Join(q.Countries, ","))
	}
	if q.Time != (engine.TimeRange{}) {
		trend.Set("time", q.Time.Param())
	}
	// The views of the trend (issue 19) are checked by the chart API.
	for _, k := range []string{"relative_to", "yscale"} {
		if v := c.Query(k); v != "" {
			trend.Set(k, v)
		}
	}
	d.TrendQuery = trend.Encode()
	mq := url.Values{"indicator": {ind.ID}}
	if d.Lang != "en" {
		mq.Set("lang", d.Lang)
	}
	if y := c.Query("year"); y != "" {
		if _, err := engine.ParseYear(y, s.cfg.CurrentYear()); err != nil {
			return badParam("year", err)
		}
		mq.Set("year", y)
	}
	d.MapQuery = mq.Encode()
	return nil
}

func (s *Server) milestonesPage(c *fiber.Ctx, d *pageData) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), requestTimeout)
	defer cancel()
	ms, err := d.eng.Milestones(ctx, d.Version)
	if err != nil {
		return err
	}
	d.Title, d.Milestones, d.Topics = s.msgs.T(d.Lang, "milestones.title"), ms.Milestones, "milestones"
	return nil
}

func (s *Server) submitPage(c *fiber.Ctx, d *pageData) error {
	d.Title = s.msgs.T(d.Lang, "submit.title")
	d.SubmitCSV = "iso3,indicator,year,value,source\n"
	if id := c.Query("indicator"); id != "" {
		ind, ok := s.ref.ByID[id]
		if !ok || !ind.Submittable || ind.Derived != nil {
			return badParam("indicator", fmt.Errorf("%q is not an indicator that can be submitted", truncate(id, 60)))
		}
		ind = s.eng.LocalIndicator(d.Lang, ind)
		d.Selected, d.Range = &ind, rangeText(ind)
		// A row for the chosen indicator, left for the ministry to complete:
		// the form checks every field, so an unfilled one is named, not stored.
		d.SubmitCSV += "," + ind.ID + ",,,\n"
	}
	d.Categories = nil
	for _, ind := range s.ref.Catalogue {
		ind = s.eng.LocalIndicator(d.Lang, ind)
		if ind.Submittable {
			d.Categories = append(d.Categories, category{Name: ind.ID, Indicators: []indicators.Indicator{ind}})
		}
	}
	s.experienceRefsData(d)
	return nil
}

func (s *Server) embedCountryPage(c *fiber.Ctx, d *pageData) error {
	d.Embed, d.BodyClass = true, "embed"
	return s.countryPage(c, d)
}

func (s *Server) embedChartPage(c *fiber.Ctx, d *pageData) error {
	q, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return badParam("query", fmt.Errorf("malformed query string"))
	}
	if q.Get("lang") == "" && d.Lang != "en" {
		q.Set("lang", d.Lang)
	}
	r, err := s.eng.ParseChart(c.Params("chart"), q)
	if err != nil {
		return err
	}
	_, query, _ := strings.Cut(r.Canonical(), "?")
	d.Chart = chartRef{Name: r.Name, Query: query, Label: r.Name + " chart"}
	d.Embed, d.BodyClass, d.Title = true, "embed", r.Name
	return nil
}

func plainNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// embedSummaryRows is how many rows of the country table the country embed
// shows (app.css): the first indicators, the rest on the country page.
const embedSummaryRows = 5

// nameWithUnit names an indicator with its unit once: most names already
// end with it in brackets ("Medical doctors (per 10 000 population)").
func nameWithUnit(ind indicators.Indicator) string {
	if ind.Unit == "" || strings.HasSuffix(strings.TrimSpace(ind.Name), ")") {
		return ind.Name
	}
	return ind.Name + " (" + ind.Unit + ")"
}

// rangeText gives an indicator's valid range for display: "0–100", "≥ 0".
func rangeText(ind indicators.Indicator) string {
	lo, hi := ind.ValidRange()
	switch {
	case lo != nil && hi != nil:
		return plainNumber(*lo) + "–" + plainNumber(*hi)
	case lo != nil:
		return "≥ " + plainNumber(*lo)
	case hi != nil:
		return "≤ " + plainNumber(*hi)
	}
	return ""
}

// roadmapTable is one scope's table of milestones on the Roadmap page.
type roadmapTable struct {
	Lang, Caption, Scope string
	Rows                 []engine.RoadmapMilestone
}

func (s *Server) roadmapPage(c *fiber.Ctx, d *pageData) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), requestTimeout)
	defer cancel()
	r, err := d.eng.Roadmap(ctx, d.Version)
	if err != nil {
		return err
	}
	d.Title, d.Roadmap, d.Topics = s.msgs.T(d.Lang, "roadmap.title"), r, "milestones"
	return nil
}

// localText is a text in the page's language, or its English where the
// language has none: English marks it so (lang="en"), for screen readers
// and translation tools.
type localText struct {
	Text    string
	English bool
}

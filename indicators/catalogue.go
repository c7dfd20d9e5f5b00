package indicators

import (
	"encoding/json"
	"strings"
)

// Publishers, as named in store/seeddata/indicators.csv.
const (
	pubNHWA    = "WHO Global Health Observatory / National Health Workforce Accounts"
	pubGHED    = "WHO Global Health Observatory / Global Health Expenditure Database"
	pubWB      = "World Bank (WDI)"
	pubOECD    = "OECD (OECD Data indicator export)"
	pubNRI     = "National reports on the implementation of the WHO Global Code (National Reporting Instrument), submitted by Member States to hwfdash"
	pubNHWA9   = "Member State submission (NHWA indicator 1-09); no public per-country values were found"
	pubPhysReg = "Eurostat, Physicians by NUTS 2 region (hlth_rs_physreg), imported by the operator with hwfdash import; no values ship with hwfdash"
	pubRural   = "Member State submission; no public per-country series of health workers in rural areas was found (PROVENANCE.md, \"Not found\": distribution)"
)

// SourceKeys names the message of each submitted indicator's source note
// (what may arrive and from whom), so a page in another language reads it
// in that language; its English is the note itself. A published or derived
// series is cited by its series citation instead.
var SourceKeys = map[string]string{
	pubNRI:     "source.pub.nri",
	pubNHWA9:   "source.pub.nhwa9",
	pubPhysReg: "source.pub.physreg",
	pubRural:   "source.pub.rural",
}

// The publishers' vintages of the shipped series, as PROVENANCE.md records
// them (and indicators.csv's vintage column repeats).
const (
	vintageDensity = "GHO data to 2023, as mirrored by open-numbers ddf--who--gho at 433fd1e"
	vintageGHED    = "GHED data dated 2024-12-10"
	vintageWDI     = "WDI data to 2024, as packaged by datasets/population on 2026-03-06"
	vintageOECD    = "OECD export with data to 2021; download date not stated"
	// The headcounts' GHO exports, by the DateModified they carry.
	vintageDoctors  = "GHO export, DateModified 2022-01"
	vintageNursing  = "GHO export, DateModified 2022-01/02"
	vintageDentists = "GHO export, DateModified 2023-01"
)

// Of the shipped sources, only the Code's national reporting states a
// schedule (every three years, milestone G03); the GHO/NHWA, GHED, World Bank
// and OECD files state none, so their next_expected_update stays empty.
const (
	nextNRIRound = "2027"
	// NextNRIRoundBasis is why the next round is expected then; the pages
	// say it in their language (fresh.basis_nri).
	NextNRIRoundBasis = "Member States report on the Code every three years (WHO Questions and answers \"National Reporting Instrument\", " +
		"19 May 2021; milestone G03); the latest round was requested in 2024 (nri_rounds.csv)."
)

func ptr[T any](v T) *T { return &v }

// Catalogue returns the indicator catalogue: WHO GHO codes where GHO has the
// indicator, lower-case slugs for the project's own. It returns a new slice
// on every call so that callers may not change a shared one.
func Catalogue() []Indicator {
	up := ptr(true)
	down := ptr(false)
	density := func(id, name, short, desc string) Indicator {
		return Indicator{ID: id, Name: name, ShortName: short, Unit: "per 10,000 population", Category: CategoryStock,
			Area: AreaStock, SourceType: SourcePublished, Kind: KindDensity, Description: desc, Source: pubNHWA + " (workforce_density.csv, newest vintage)", Vintage: vintageDensity,
			HigherIsBetter: up, Weighted: true, Submittable: true}
	}
	count := func(id, name, short, vintage string) Indicator {
		return Indicator{ID: id, Name: name, ShortName: short, Unit: "number", Category: CategoryStock, Kind: KindCount,
			Area: AreaStock, SourceType: SourcePublished,
			Description: "Headcount as reported to the National Health Workforce Accounts.",
			Source:      pubNHWA + " (workforce_counts.csv, 2022/2023 vintage)", Vintage: vintage, Submittable: true}
	}
	ghed := func(id, name, short, unit string, kind Kind, better *bool) Indicator {
		return Indicator{ID: id, Name: name, ShortName: short, Unit: unit, Category: CategoryFinancing, Kind: kind,
			Area: AreaExpenditure, SourceType: SourcePublished,
			Description: "WHO Global Health Expenditure Database (data dated 2024-12-10).",
			Source:      pubGHED + " (health_expenditure.csv)", Vintage: vintageGHED, HigherIsBetter: better, Weighted: true, Submittable: true}
	}
	yesno := func(id, name, short, question string, milestones ...string) Indicator {
		return Indicator{ID: id, Name: name, ShortName: short, Unit: "yes (1) / no (0)", Category: CategoryCode,
			SourceType: SourceSubmitted, Kind: KindYesNo, Description: "Answer for a reporting round of the Code's National Reporting Instrument; " +
				"the year is the round's reporting year (2012, 2015, 2018, 2021, 2024). No per-country answers are public: " +
				"they arrive by authenticated submission and show as \"not reported yet\" until then.",
			Source: pubNRI, HigherIsBetter: up, Submittable: true, CodeQuestion: question, Milestones: milestones,
			NextExpectedUpdate: nextNRIRound, NextUpdateBasis: NextNRIRoundBasis}
	}
	return []Indicator{
		density("HWF_0001", "Medical doctors (per 10 000 population)", "Doctors", "Density of medical doctors."),
		density("HWF_0006", "Nursing and midwifery personnel (per 10 000 population)", "Nurses and midwives",
			"Density of nursing and midwifery personnel."),
		density("HWF_0010", "Dentists (per 10 000 population)", "Dentists", "Density of dentists."),
		density("HWF_0014", "Pharmacists (per 10 000 population)", "Pharmacists", "Density of pharmacists."),
		{ID: "hwf_dnm", Name: "Doctors, nurses and midwives (per 10,000 population)", ShortName: "Doctors, nurses and midwives",
			Unit: "per 10,000 population", Category: CategoryStock, Kind: KindDensity,
			Area: AreaStock, SourceType: SourceDerived,
			Description: "Computed by hwfdash as medical doctors (HWF_0001) plus nursing and midwifery personnel (HWF_0006), " +
				"for country-years where both are published; measured against the SDG index threshold of 44.5 (G14).",
			Source: "hwfdash, from " + pubNHWA, Vintage: vintageDensity, HigherIsBetter: up, Weighted: true,
			Derived: &Derivation{Op: "sum", Inputs: []string{"HWF_0001", "HWF_0006"}}, Milestones: []string{"G14", "G15", "G11"}},
		{ID: "hwf_nurses_density", Name: "Nursing personnel (per 10,000 population), computed", ShortName: "Nurses",
			Unit: "per 10,000 population", Category: CategoryStock, Kind: KindDensity,
			Area: AreaStock, SourceType: SourceDerived,
			Description: "Computed by hwfdash from the WHO NHWA headcount of nursing personnel (HWF_0008) and World Bank population, " +
				"because GHO publishes no density of nurses alone.",
			Source: "hwfdash, from " + pubNHWA + " and " + pubWB, HigherIsBetter: up, Weighted: true,
			Vintage: vintageNursing + "; " + vintageWDI,
			Derived: &Derivation{Op: "per10k", Inputs: []string{"HWF_0008", "SP.POP.TOTL"}}},
		{ID: "hwf_midwives_density", Name: "Midwifery personnel (per 10,000 population), computed", ShortName: "Midwives",
			Unit: "per 10,000 population", Category: CategoryStock, Kind: KindDensity,
			Area: AreaStock, SourceType: SourceDerived,
			Description: "Computed by hwfdash from the WHO NHWA headcount of midwifery personnel (HWF_0009) and World Bank population, " +
				"because GHO publishes no density of midwives alone.",
			Source: "hwfdash, from " + pubNHWA + " and " + pubWB, HigherIsBetter: up, Weighted: true,
			Vintage: vintageNursing + "; " + vintageWDI,
			Derived: &Derivation{Op: "per10k", Inputs: []string{"HWF_0009", "SP.POP.TOTL"}}},
		count("HWF_0002", "Medical doctors (number)", "Doctors (number)", vintageDoctors),
		count("HWF_0003", "Generalist medical practitioners (number)", "Generalists (number)", vintageDoctors),
		count("HWF_0004", "Specialist medical practitioners (number)", "Specialists (number)", vintageDoctors),
		count("HWF_0007", "Nursing and midwifery personnel (number)", "Nurses and midwives (number)", vintageNursing),
		count("HWF_0008", "Nursing personnel (number)", "Nurses (number)", vintageNursing),
		count("HWF_0009", "Midwifery personnel (number)", "Midwives (number)", vintageNursing),
		count("HWF_0011", "Dentists (number)", "Dentists (number)", vintageDentists),
		{ID: "SP.POP.TOTL", Name: "Population, total", ShortName: "Population", Unit: "persons", Category: CategoryPopulation,
			SourceType: SourcePublished, Kind: KindCount, Description: "Total population (used for weighted means and computed densities).",
			Source: pubWB + " (population.csv)", Vintage: vintageWDI},
		{ID: "MEDICALGRAD", Name: "Medical graduates, total (per 100 000 inhabitants)", ShortName: "Medical graduates",
			Unit: "per 100,000 population", Category: CategoryEducation, Kind: KindDensity,
			Area: AreaEducation, SourceType: SourcePublished,
			Description: "OECD medical graduates; OECD members only (28 of the 53 Member States).",
			Source:      pubOECD + " (workforce_education.csv)", Vintage: vintageOECD, HigherIsBetter: up, Weighted: true, Submittable: true},
		ghed("GHED_CHEGDP_SHA2011", "Current health expenditure (CHE) as percentage of gross domestic product (GDP) (%)",
			"Health spending, % of GDP", "% of GDP", KindPercent, nil),
		ghed("GHED_CHE_pc_US_SHA2011", "Current health expenditure (CHE) per capita in US$", "Health spending per capita",
			"US$ per capita", KindAmount, nil),
		ghed("GHED_GGHE-DGGE_SHA2011", "Domestic general government health expenditure (GGHE-D) as percentage of general government expenditure (GGE) (%)",
			"Government health spending, % of government spending", "% of general government expenditure", KindPercent, up),
		ghed("GHED_GGHE-DCHE_SHA2011", "Domestic general government health expenditure (GGHE-D) as percentage of current health expenditure (CHE) (%)",
			"Government share of health spending", "% of current health expenditure", KindPercent, up),
		ghed("GHED_GGHE-DGDP_SHA2011", "Domestic general government health expenditure (GGHE-D) as percentage of gross domestic product (GDP) (%)",
			"Government health spending, % of GDP", "% of GDP", KindPercent, nil),
		ghed("GHED_GGHE-D_pc_US_SHA2011", "Domestic general government health expenditure (GGHE-D) per capita in US$",
			"Government health spending per capita", "US$ per capita", KindAmount, nil),
		ghed("GHED_OOPSCHE_SHA2011", "Out-of-pocket expenditure as percentage of current health expenditure (CHE) (%)",
			"Out-of-pocket share of health spending", "% of current health expenditure", KindPercent, down),
		{ID: "mig_doctors_foreign_trained_pct", Name: "Foreign-trained medical doctors (% of doctors)", ShortName: "Foreign-trained doctors",
			Unit: "%", Category: CategoryMigration, Kind: KindPercent, Area: AreaMigration, SourceType: SourceSubmitted,
			Description: "Share of medical doctors trained abroad (NHWA indicator 1-09), the dependency on foreign-trained health personnel that the Code asks countries to monitor.",
			Source:      pubNHWA9, HigherIsBetter: down, Weighted: true, Submittable: true},
		{ID: "mig_nurses_foreign_trained_pct", Name: "Foreign-trained nurses (% of nurses)", ShortName: "Foreign-trained nurses",
			Unit: "%", Category: CategoryMigration, Kind: KindPercent, Area: AreaMigration, SourceType: SourceSubmitted,
			Description: "Share of nurses trained abroad (NHWA indicator 1-09).",
			Source:      pubNHWA9, HigherIsBetter: down, Weighted: true, Submittable: true},
		{ID: "dist_doctors_rural_pct", Name: "Medical doctors working in rural areas (% of medical doctors)",
			ShortName: "Doctors in rural areas", Unit: "%", Category: CategoryDistribution, Kind: KindPercent,
			Area: AreaDistribution, SourceType: SourceSubmitted,
			Description: "Share of a Member State's medical doctors who work in rural areas. Resolution WHA64.6 asks for information " +
				"on the distribution of the health workforce and for strategies to increase the availability of health workers in " +
				"remote and rural areas. No public per-country series was found: values arrive by authenticated submission, " +
				"whose source should say which definition of rural areas it uses.",
			// Like the other shares of doctors, a population-weighted mean approximates
			// a mean weighted by the number of doctors; no direction is called better
			// because the seeds set no target for it.
			Source: pubRural, Weighted: true, Submittable: true},
		{ID: "dist_doctors_nuts2_ratio", Name: "Ratio of the highest to the lowest regional (NUTS 2) density of physicians",
			ShortName: "Regional spread of doctors", Unit: "ratio (highest / lowest)", Category: CategoryDistribution, Kind: KindRatio,
			Area: AreaDistribution, SourceType: SourceSubmitted,
			Description: "For one country and year, the density of physicians (per 100,000 inhabitants) in its NUTS 2 region with the most " +
				"physicians per inhabitant divided by that of its region with the fewest, over the regions Eurostat publishes a value for " +
				"(hlth_rs_physreg, unit P_HTHAB). 1 means an even distribution. Countries with a single NUTS 2 region have none. " +
				"No values ship: they arrive by import of the Eurostat file or by submission.",
			Source: pubPhysReg, Submittable: true},
		yesno("code_dna", "National authority for the Code designated", "Designated national authority",
			"NRI: has a designated national authority for the exchange of information on the Code been designated? (paraphrased)"),
		yesno("code_nri_report", "National report on Code implementation submitted", "National report submitted",
			"NRI: did the Member State submit its national report in this reporting round? (paraphrased)", "G09"),
		yesno("code_bilateral_agreements", "Bilateral or multilateral recruitment agreements reported", "Agreements reported",
			"NRI: has the country entered into bilateral, regional or multilateral agreements on the recruitment of health personnel, and reported them? (paraphrased)"),
		yesno("code_foreign_data", "Data on foreign-trained health personnel kept", "Foreign-trained data kept",
			"NRI: does the country keep records or statistics on foreign-trained and foreign-born health personnel? (paraphrased)"),
	}
}

// indicatorJSON is Indicator without its methods, so MarshalJSON can reuse
// the default encoding.
type indicatorJSON Indicator

// valueRange is an indicator's valid range in API answers; a nil bound is
// open.
type valueRange struct {
	Min *float64 `json:"min"`
	Max *float64 `json:"max"`
}

// MarshalJSON adds the valid range, which follows from Kind, so that API
// clients see the bounds a submission is checked against.
func (ind Indicator) MarshalJSON() ([]byte, error) {
	lo, hi := ind.ValidRange()
	return json.Marshal(struct {
		indicatorJSON
		ValidRange valueRange `json:"valid_range"`
	}{indicatorJSON(ind), valueRange{lo, hi}})
}

// Lookup finds an indicator of the catalogue by id.
func Lookup(id string) (Indicator, bool) {
	for _, ind := range Catalogue() {
		if ind.ID == id {
			return ind, true
		}
	}
	return Indicator{}, false
}

// Round is a reporting round of the Code's National Reporting Instrument.
type Round struct {
	Number int `json:"round"`
	Year   int `json:"reporting_year"`
}

// NRIRounds lists the reporting rounds with their reporting years, as cited
// in nri_rounds.csv (rounds requested in 2012, 2015, 2018, 2021 and 2024).
func NRIRounds() []Round {
	return []Round{{1, 2012}, {2, 2015}, {3, 2018}, {4, 2021}, {5, 2024}}
}

// Plausibility bounds: the largest value an indicator of a kind can take
// whatever its country. They keep a mistyped or hostile figure (1.7e308)
// out, which every region-wide view would otherwise turn into +Inf, and keep
// every sum and weighted mean of the region far inside float64's range. The
// README's "Submitting figures" section lists them.
const (
	// MaxHeadcount bounds counts of people: more than the whole WHO European
	// Region's population (about 930 million) is no Member State's count.
	MaxHeadcount = 1e9
	// MaxAmountPerCapita bounds money per person (US$; the highest health
	// spending per capita in the Region is about 10,000).
	MaxAmountPerCapita = 1e6
	// MaxRatio bounds a ratio of the highest to the lowest regional value.
	MaxRatio = 1e6
)

// ValidRange gives the bounds a value of the indicator must lie in; nil is
// open. A density cannot exceed its population base (a density per 10,000
// population of 10,000 is everyone), a percentage 100, a headcount
// MaxHeadcount, money per capita MaxAmountPerCapita, a ratio MaxRatio.
func (ind Indicator) ValidRange() (lo, hi *float64) {
	switch ind.Kind {
	case KindPercent:
		return ptr(0.0), ptr(100.0)
	case KindYesNo:
		return ptr(0.0), ptr(1.0)
	case KindRatio:
		return ptr(1.0), ptr(MaxRatio)
	case KindDensity:
		return ptr(0.0), ptr(PopulationBase(ind.Unit))
	case KindCount:
		return ptr(0.0), ptr(MaxHeadcount)
	case KindAmount:
		return ptr(0.0), ptr(MaxAmountPerCapita)
	default:
		return ptr(0.0), nil
	}
}

// PopulationBase is the population a density's unit is per: 100,000 for
// "per 100,000 population", 10,000 for "per 10,000 population" (and for any
// other unit, the catalogue's densities being per 10,000 unless they say).
func PopulationBase(unit string) float64 {
	if strings.Contains(unit, "100,000") {
		return 100000
	}
	return 10000
}

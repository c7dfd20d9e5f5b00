package server

// routes is the one route table.
func (s *Server) routes() {
	s.buildSecurityHeaders()
	a := s.app
	a.Use(s.securityHeaders)
	a.Get("/healthz", s.getHealth)
	a.Get("/readyz", s.getReady)

	api := a.Group("/api/v1", s.corsReads)
	api.Get("/version", s.getVersion)
	api.Get("/countries", s.getCountries)
	api.Get("/countries/:iso3/summary", s.getSummary)
	api.Get("/indicators", s.getIndicators)
	api.Get("/indicators/:id", s.getIndicator)
	api.Get("/indicators/:id/data", s.getData)
	api.Get("/indicators/:id/regional", s.getRegional)
	api.Get("/indicators/:id/history", s.getHistory)
	api.Get("/indicators/:id/provenance", s.getIndicatorProvenance)
	api.Get("/milestones", s.getMilestones)
	api.Get("/roadmap", s.getRoadmap)
	api.Get("/charts/:chart", s.getChart)

	api.Get("/code/rounds", s.getRounds)
	api.Get("/provenance", s.getProvenance)
	api.Post("/observations", s.postObservations)
	api.Get("/tokens", s.getTokens)
	api.Post("/tokens", s.postToken)
	api.Delete("/tokens/:id", s.deleteToken)
	api.Get("/experiences", s.getExperiences)
	api.Post("/experiences", s.postExperience)
	api.Get("/experiences/:id", s.getExperience)
	api.Post("/experiences/:id/hide", s.postHideExperience(true))
	api.Post("/experiences/:id/unhide", s.postHideExperience(false))
	api.Get("/admin/stats", s.getStats)
	api.Post("/admin/recompute", s.postRecompute)
	api.Post("/admin/settle", s.postSettle)
	api.Get("/admin/imports", s.getImports)
	api.Post("/admin/imports", s.postImport)
	api.Get("/admin/imports/progress/:id", s.getImportProgress)

	a.Get("/ws", s.serveWS())
	// Atom feeds of changes, beside the pages they follow.
	a.Get("/changes.atom", s.getFeed)
	a.Get("/countries/:iso3/changes.atom", s.getFeed)
	a.Get("/indicators/:id/changes.atom", s.getFeed)

	s.pageRoutes()
}

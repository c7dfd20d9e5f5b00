package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/server/engine"
	"github.com/hwfdash/hwfdash/server/ws"
)

// Experiences keeps the country experiences ministries share: never
// deleted, hidden by an admin at most, with the history of those changes.
type Experiences interface {
	AddExperience(ctx context.Context, e indicators.Experience) (indicators.Experience, error)
	SetExperienceHidden(ctx context.Context, id int64, hidden bool, actor, reason string) (indicators.Experience, error)
	Experience(ctx context.Context, id int64) (indicators.Experience, []indicators.ExperienceEvent, error)
	// ExperienceAsOf is Experience as it stood at a data version (0: live).
	ExperienceAsOf(ctx context.Context, id int64, asOf int64) (indicators.Experience, []indicators.ExperienceEvent, error)
	ListExperiences(ctx context.Context, q indicators.ExperienceQuery) ([]indicators.Experience, error)
	ExperienceChangesSince(ctx context.Context, version int64, limit int) ([]indicators.Experience, error)
}

// Page sizes of the experiences list.
const (
	experiencesPage    = 20
	experiencesMaxPage = 100
)

// experienceRequest is the body of POST /api/v1/experiences. Pointers tell
// a missing field from an empty one.
type experienceRequest struct {
	ISO3       *string  `json:"iso3"`
	Title      *string  `json:"title"`
	Text       *string  `json:"text"`
	Date       *string  `json:"date"`
	Topic      *string  `json:"topic"`
	Indicators []string `json:"indicators"`
	Milestones []string `json:"milestones"`
	Link       *string  `json:"link"`
}

// ParseExperience decodes a shared experience. Title and text are kept
// exactly as sent (no trimming, no normalisation); codes are normalised. A
// body that cannot be decoded gives one error; otherwise each missing field
// is reported, and the fields present are checked by ValidateExperience.
func ParseExperience(body []byte) (indicators.Experience, []indicators.FieldError) {
	var e indicators.Experience
	if len(bytes.TrimSpace(body)) == 0 {
		return e, []indicators.FieldError{{Field: "body", Message: "empty body: send a JSON object"}}
	}
	if bytes.TrimSpace(body)[0] != '{' {
		return e, []indicators.FieldError{{Field: "body", Message: "send one JSON object"}}
	}
	var r experienceRequest
	if err := decodeOneJSON(body, &r, true); err != nil {
		if errors.As(err, new(errTrailing)) {
			return e, []indicators.FieldError{{Field: "body", Message: "one JSON object per request: " + err.Error()}}
		}
		field := jsonField(err)
		if field == "row" {
			field = "body"
		}
		return e, []indicators.FieldError{{Field: field, Message: jsonErr(err)}}
	}
	var errs []indicators.FieldError
	str := func(field string, p *string) string {
		if p == nil {
			errs = append(errs, indicators.FieldError{Field: field, Message: "missing"})
			return ""
		}
		return *p
	}
	e.ISO3 = strings.ToUpper(strings.TrimSpace(str("iso3", r.ISO3)))
	e.Title = str("title", r.Title)
	e.Text = str("text", r.Text)
	e.Date = strings.TrimSpace(str("date", r.Date))
	e.Topic = strings.TrimSpace(str("topic", r.Topic))
	if r.Link != nil {
		e.Link = strings.TrimSpace(*r.Link)
	}
	e.Indicators = trimAll(r.Indicators)
	e.Milestones = trimAll(r.Milestones)
	return e, errs
}

func trimAll(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, strings.TrimSpace(id))
	}
	return out
}

func (s *Server) experienceRefs() indicators.ExperienceRefs {
	return indicators.ExperienceRefs{
		Country:   s.ref.Known,
		Indicator: func(id string) bool { _, ok := s.ref.ByID[id]; return ok },
		Milestone: func(id string) bool { _, ok := s.ref.MilestoneByID[id]; return ok },
	}
}

func (s *Server) postExperience(c *fiber.Ctx) error {
	tok, err := s.writer(c)
	if err != nil {
		return err
	}
	_, body, err := s.readBody(c, fiber.MIMEApplicationJSON)
	if err != nil {
		return err
	}
	e, errs := s.checkExperience(body)
	if !tok.Admin && s.ref.Known(e.ISO3) && !containsString(tok.Countries, e.ISO3) {
		errs = append(errs, indicators.FieldError{Field: "iso3", Message: scopeMessage})
	}
	if errs != nil {
		status := fiber.StatusBadRequest
		if allScope(errs) {
			status = fiber.StatusForbidden
		}
		return &apiError{Status: status, Message: experienceMessage(errs), Field: errs[0].Field, Rows: errs}
	}
	e.Author, e.TokenID = tok.Label, tok.ID
	ctx, cancel := reqCtx(c)
	defer cancel()
	stored, err := s.deps.Experiences.AddExperience(ctx, e)
	if err != nil {
		return fmt.Errorf("server: store experience: %w", err)
	}
	s.log.Info("experience stored", "id", stored.ID, "iso3", stored.ISO3, "version", stored.Version, "token", tok.ID)
	s.announceExperience(ctx, indicators.ExperienceCreated, stored)
	c.Location(fmt.Sprintf("/api/v1/experiences/%d", stored.ID))
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"experience": stored, "version": stored.Version})
}

// checkExperience parses and validates a shared experience, reporting each
// field's problem once.
func (s *Server) checkExperience(body []byte) (indicators.Experience, []indicators.FieldError) {
	e, errs := ParseExperience(body)
	decoded := len(errs) == 0 || errs[0].Message == "missing"
	if !decoded {
		return e, errs
	}
	reported := map[string]bool{}
	for _, fe := range errs {
		reported[fe.Field] = true
	}
	for _, fe := range indicators.ValidateExperience(e, s.experienceRefs(), time.Now().UTC()) {
		if !reported[fe.Field] {
			errs = append(errs, fe)
		}
	}
	return e, errs
}

// experienceMessage names every problem (a form shows them one by one
// too), so that the message alone says what to fix.
func experienceMessage(errs []indicators.FieldError) string {
	var parts []string
	for i, fe := range errs {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more", len(errs)-i))
			break
		}
		parts = append(parts, fe.Field+": "+fe.Message)
	}
	return strings.Join(parts, "; ") + "; nothing was stored"
}

func containsString(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// announceExperience advances this instance's version and publishes the
// change on the bus, which brings it to every instance's websocket clients.
func (s *Server) announceExperience(ctx context.Context, action string, e indicators.Experience) {
	s.advance(e.Version)
	payload, _ := json.Marshal(experienceNotice(action, e)) // plain fields: cannot fail
	ev := indicators.Update{Version: e.Version, Topics: engine.ExperienceTopics(e.ISO3), Origin: s.cfg.InstanceID,
		Kind: "experience", Payload: payload}
	// As for observations: instances the bus cannot reach catch up from the
	// store, so a failure is logged rather than returned.
	if err := s.deps.Bus.Publish(context.WithoutCancel(ctx), ev); err != nil {
		s.log.Warn("publish experience", "err", err)
	}
}

// experienceNotice is what subscribers receive: the whole entry when it is
// shared or shown again, and only its identity when it is hidden, so that a
// hidden text is not sent to any page.
func experienceNotice(action string, e indicators.Experience) fiber.Map {
	if e.Hidden {
		return fiber.Map{"action": indicators.ExperienceHidden, "experience": fiber.Map{
			"id": e.ID, "iso3": e.ISO3, "topic": e.Topic, "hidden": true, "version": e.Version}}
	}
	return fiber.Map{"action": action, "experience": e}
}

// pushExperience sends an experience notice to the subscribers of its
// topics, encoded once per topic.
func (s *Server) pushExperience(version int64, topics []string, payload json.RawMessage) {
	for _, t := range topics {
		if !s.hub.HasSubscribers(t) {
			continue
		}
		b, err := json.Marshal(updateMessage{Type: "update", Topic: t, Version: version, Payload: payload})
		if err != nil {
			continue
		}
		s.hub.Broadcast(t, ws.TextFrame(b))
	}
}

// pushExperienceChanges pushes the current state of experiences that
// changed while this instance missed their events.
func (s *Server) pushExperienceChanges(changes []indicators.Experience) {
	for _, e := range changes {
		action := indicators.ExperienceCreated
		if e.Hidden {
			action = indicators.ExperienceHidden
		}
		payload, _ := json.Marshal(experienceNotice(action, e))
		s.pushExperience(e.Version, engine.ExperienceTopics(e.ISO3), payload)
	}
}

func (s *Server) getExperiences(c *fiber.Ctx) error {
	eng, version, err := s.view(c)
	if err != nil {
		return err
	}
	q := indicators.ExperienceQuery{Limit: experiencesPage, AsOf: eng.AsOf()}
	if v := c.Query("country"); v != "" {
		q.Country = strings.ToUpper(v)
		if !s.ref.Known(q.Country) {
			return badParam("country", fmt.Errorf("unknown country %q", truncate(v, 20)))
		}
	}
	if v := c.Query("topic"); v != "" {
		if !indicators.IsExperienceTopic(v) {
			return badParam("topic", fmt.Errorf("%q: use one of %s", truncate(v, 40), strings.Join(indicators.ExperienceTopics(), ", ")))
		}
		q.Topic = v
	}
	if v := c.Query("indicator"); v != "" {
		if _, ok := s.ref.ByID[v]; !ok {
			return badParam("indicator", fmt.Errorf("unknown indicator %q", truncate(v, 60)))
		}
		q.Indicator = v
	}
	if v := c.Query("milestone"); v != "" {
		if _, ok := s.ref.MilestoneByID[v]; !ok {
			return badParam("milestone", fmt.Errorf("unknown milestone %q", truncate(v, 60)))
		}
		q.Milestone = v
	}
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return badParam("before", fmt.Errorf("%q is not a positive id", truncate(v, 20)))
		}
		q.Before = n
	}
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > experiencesMaxPage {
			return badParam("limit", fmt.Errorf("a whole number 1..%d", experiencesMaxPage))
		}
		q.Limit = n
	}
	switch v := c.Query("include"); v {
	case "":
	case "hidden":
		admin, err := s.viewerIsAdmin(c)
		if err != nil {
			return err
		}
		if !admin {
			return &apiError{Status: fiber.StatusForbidden, Message: "include=hidden: only an admin token sees hidden experiences", Field: "include"}
		}
		q.IncludeHidden = true
	default:
		return badParam("include", fmt.Errorf("%q: the only value is hidden", truncate(v, 20)))
	}
	list := func(ctx context.Context) (any, error) {
		page := q
		page.Limit = q.Limit + 1 // one more tells whether there is a next page
		es, err := s.deps.Experiences.ListExperiences(ctx, page)
		if err != nil {
			return nil, err
		}
		res := fiber.Map{"experiences": es, "version": version}
		if len(es) > q.Limit {
			es = es[:q.Limit]
			res["experiences"] = es
			next := url.Values{}
			for k, v := range map[string]string{"country": q.Country, "topic": q.Topic, "indicator": q.Indicator, "milestone": q.Milestone} {
				if v != "" {
					next.Set(k, v)
				}
			}
			if q.IncludeHidden {
				next.Set("include", "hidden")
			}
			next.Set("limit", strconv.Itoa(q.Limit))
			next.Set("before", strconv.FormatInt(es[len(es)-1].ID, 10))
			if q.AsOf > 0 {
				next.Set("as_of", strconv.FormatInt(q.AsOf, 10))
			}
			res["next"] = "/api/v1/experiences?" + next.Encode()
		}
		return res, nil
	}
	if q.IncludeHidden {
		return s.sendPrivate(c, list)
	}
	return s.sendJSON(c, eng.ExperiencesKey(q), list)
}

func experienceID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, badParam("id", fmt.Errorf("%q is not an experience id", truncate(c.Params("id"), 20)))
	}
	return id, nil
}

func (s *Server) getExperience(c *fiber.Ctx) error {
	id, err := experienceID(c)
	if err != nil {
		return err
	}
	admin, err := s.viewerIsAdmin(c)
	if err != nil {
		return err
	}
	eng, _, err := s.view(c)
	if err != nil {
		return err
	}
	one := func(ctx context.Context) (any, error) {
		e, hist, err := s.deps.Experiences.ExperienceAsOf(ctx, id, eng.AsOf())
		if errors.Is(err, indicators.ErrNotFound) || (err == nil && e.Hidden && !admin) {
			return nil, notFound("id", "no experience %d", id)
		}
		if err != nil {
			return nil, err
		}
		return fiber.Map{"experience": e, "history": hist}, nil
	}
	if admin {
		return s.sendPrivate(c, one)
	}
	return s.sendJSON(c, eng.ExperienceKey(id), one)
}

// hideRequest is the body of the hide and unhide requests.
type hideRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) postHideExperience(hidden bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		tok, err := s.requireAdmin(c)
		if err != nil {
			return err
		}
		id, err := experienceID(c)
		if err != nil {
			return err
		}
		_, body, err := s.readBody(c, fiber.MIMEApplicationJSON)
		if err != nil {
			return err
		}
		var req hideRequest
		if err := decodeOneJSON(body, &req, true); err != nil {
			field := jsonField(err)
			if field == "row" {
				field = "body"
			}
			return badParam(field, errors.New(jsonErr(err)))
		}
		if fe := indicators.ValidateHideReason(req.Reason); fe != nil {
			return badParam(fe.Field, errors.New(fe.Message))
		}
		ctx, cancel := reqCtx(c)
		defer cancel()
		e, err := s.deps.Experiences.SetExperienceHidden(ctx, id, hidden, tok.Label, req.Reason)
		switch {
		case errors.Is(err, indicators.ErrNotFound):
			return notFound("id", "no experience %d", id)
		case errors.Is(err, indicators.ErrUnchanged):
			state := map[bool]string{true: "hidden", false: "visible"}[hidden]
			return &apiError{Status: fiber.StatusConflict, Message: fmt.Sprintf("experience %d is already %s: nothing was recorded", id, state), Field: "id"}
		case err != nil:
			return err
		}
		action := indicators.ExperienceUnhidden
		if hidden {
			action = indicators.ExperienceHidden
		}
		s.log.Info("experience "+action, "id", id, "version", e.Version, "token", tok.ID)
		s.announceExperience(ctx, action, e)
		return c.JSON(fiber.Map{"experience": e, "version": e.Version})
	}
}

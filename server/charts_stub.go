package server

import (
	"context"
	"errors"
)

type chartRequest struct{}

func (s *Server) parseChartTopic(string) (chartRequest, error) {
	return chartRequest{}, errors.New("charts are not available yet")
}

func (s *Server) chartForTopic(context.Context, string, int64) (any, error) {
	return nil, errors.New("charts are not available yet")
}

func (s *Server) chartTopicsFor([]string) []string { return nil }

func (s *Server) getChart(c any) error { return errors.New("no charts") }

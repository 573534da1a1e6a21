package graph

import (
	"context"
	"time"

	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/graph/model"
	"github.com/caseload/caseload/internal/metrics"
)

// MetricsReport is a practice metrics report as the API shows it.
type MetricsReport struct {
	*metrics.PracticeReport
	// Groups are ordered by month, clinician name, modality, frequency.
	Groups []*MetricsGroup
	// Total is the whole range.
	Total *MetricsGroup
}

// GroupBy is the dimensions of the report.
func (r *MetricsReport) GroupBy() []model.MetricsDimension {
	out := make([]model.MetricsDimension, len(r.Report.GroupBy))
	for i, d := range r.Report.GroupBy {
		out[i] = model.MetricsDimension(d)
	}
	return out
}

// MetricsGroup is one group of a report.
type MetricsGroup struct {
	*metrics.PracticeGroup
}

// Month is the group's month, when grouped by month.
func (g *MetricsGroup) Month() *time.Time {
	if g.Group.Month.IsZero() {
		return nil
	}
	m := g.Group.Month
	return &m
}

// Modality is the group's modality, when grouped by modality.
func (g *MetricsGroup) Modality() *clientprofile.Modality {
	if g.Group.Modality == "" {
		return nil
	}
	m := clientprofile.Modality(g.Group.Modality)
	return &m
}

// Frequency is the group's session frequency, when grouped by it.
func (g *MetricsGroup) Frequency() *clientprofile.SessionFrequency {
	if g.Group.Frequency == "" {
		return nil
	}
	f := clientprofile.SessionFrequency(g.Group.Frequency)
	return &f
}

// ClosedByReason counts the episodes closed, by reason.
func (g *MetricsGroup) ClosedByReason() []*model.ClosureReasonCount {
	if g.Group.ClosedByReason == nil {
		return nil
	}
	out := make([]*model.ClosureReasonCount, len(g.Group.ClosedByReason))
	for i, r := range g.Group.ClosedByReason {
		out[i] = &model.ClosureReasonCount{Reason: episode.CloseReason(r.Reason), Count: r.Count}
	}
	return out
}

// practiceMetrics computes the report of internal/metrics for the API.
func (r *Resolver) practiceMetrics(ctx context.Context, from, to time.Time, groupBy []model.MetricsDimension) (*MetricsReport, error) {
	dims := make([]metrics.Dimension, len(groupBy))
	for i, d := range groupBy {
		dims[i] = metrics.Dimension(d)
	}
	rep, err := metrics.Practice(ctx, r.db, r.driver, r.now(), from, to, dims)
	if err != nil {
		return nil, err
	}
	out := &MetricsReport{PracticeReport: rep, Total: &MetricsGroup{rep.Total}}
	for _, g := range rep.Groups {
		out.Groups = append(out.Groups, &MetricsGroup{g})
	}
	return out, nil
}

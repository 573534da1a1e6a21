package graph

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/clinician"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/graph/model"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/metrics"
	"github.com/caseload/caseload/internal/viewer"
)

// MetricsReport is a practice metrics report as the API shows it: the
// figures of internal/metrics with each group's clinician.
type MetricsReport struct {
	*metrics.Report
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
	*metrics.Group
	clinician *ent.Clinician
}

// Month is the group's month, when grouped by month.
func (g *MetricsGroup) Month() *time.Time {
	if g.Group.Month.IsZero() {
		return nil
	}
	m := g.Group.Month
	return &m
}

// Clinician is the group's clinician, when grouped by clinician.
func (g *MetricsGroup) Clinician() *ent.Clinician { return g.clinician }

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

// errMetricsForbidden answers the roles that do not read practice metrics:
// clinicians and supervisors would see their colleagues' figures.
var errMetricsForbidden = caseload.Forbidden("practice metrics are for admins and analysts")

// LoadPracticeMetrics computes the practice metrics of the viewer's practice
// (ADMIN and ANALYST only) from the first to the last day, inclusive. drv
// is the ent driver under client; client loads the practice (its time zone
// and policy) and the clinicians of the groups.
func LoadPracticeMetrics(ctx context.Context, client *ent.Client, drv dialect.Driver, now time.Time, from, to time.Time, groupBy []model.MetricsDimension) (*MetricsReport, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, errUnauthenticated
	}
	if v.Role != viewer.Admin && v.Role != viewer.Analyst {
		return nil, errMetricsForbidden
	}
	p, err := client.Practice.Get(ctx, v.PracticeID)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return nil, err
	}
	dims := make([]metrics.Dimension, len(groupBy))
	for i, d := range groupBy {
		dims[i] = metrics.Dimension(d)
	}
	rep, err := metrics.Compute(ctx, drv, metrics.Request{
		PracticeID: v.PracticeID, Location: loc, From: from, To: to, GroupBy: dims, Policy: p.Policy, Now: now,
	})
	if err != nil {
		return nil, err
	}
	out := &MetricsReport{Report: rep, Total: &MetricsGroup{Group: rep.Total}}
	var ids []int
	for _, g := range rep.Groups {
		if g.ClinicianID != 0 {
			ids = append(ids, g.ClinicianID)
		}
	}
	byID := map[int]*ent.Clinician{}
	if len(ids) > 0 {
		cs, err := client.Clinician.Query().Where(clinician.IDIn(slices.Compact(slices.Sorted(slices.Values(ids)))...)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			byID[c.ID] = c
		}
	}
	for _, g := range rep.Groups {
		out.Groups = append(out.Groups, &MetricsGroup{Group: g, clinician: byID[g.ClinicianID]})
	}
	sort.SliceStable(out.Groups, func(i, j int) bool {
		a, b := out.Groups[i], out.Groups[j]
		if !a.Group.Month.Equal(b.Group.Month) {
			return a.Group.Month.Before(b.Group.Month)
		}
		if a.Group.ClinicianID != b.Group.ClinicianID {
			return strings.ToLower(clinicianName(a.clinician)) < strings.ToLower(clinicianName(b.clinician))
		}
		return false // internal/metrics already orders by modality and frequency
	})
	return out, nil
}

func clinicianName(c *ent.Clinician) string {
	if c == nil {
		return ""
	}
	return c.Name
}

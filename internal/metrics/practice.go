package metrics

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"entgo.io/ent/dialect"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/clinician"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
)

// PracticeReport is a report of the viewer's practice with each group's
// clinician.
type PracticeReport struct {
	*Report
	// Groups are ordered by month, clinician name, modality, frequency.
	Groups []*PracticeGroup
	// Total is the whole range.
	Total *PracticeGroup
}

// PracticeGroup is one group of a report, with its clinician when grouped
// by clinician.
type PracticeGroup struct {
	*Group
	Clinician *ent.Clinician
}

// errForbidden answers the roles that do not read practice metrics:
// clinicians and supervisors would see their colleagues' figures.
var errForbidden = caseload.Forbidden("practice metrics are for admins and analysts")

// Practice computes the practice metrics of the viewer's practice (ADMIN
// and ANALYST only) from the first to the last day, inclusive, in the
// practice's time zone and under its policy. db loads the practice and the
// clinicians of the groups; drv is the driver under db, which the figures'
// statements run on.
func Practice(ctx context.Context, db *ent.Client, drv dialect.Driver, now, from, to time.Time, groupBy []Dimension) (*PracticeReport, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, caseload.ErrNoViewer
	}
	if v.Role != viewer.Admin && v.Role != viewer.Analyst {
		return nil, errForbidden
	}
	p, err := db.Practice.Get(ctx, v.PracticeID)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return nil, err
	}
	rep, err := Compute(ctx, drv, Request{
		PracticeID: v.PracticeID, Location: loc, From: from, To: to, GroupBy: groupBy, Policy: p.Policy, Now: now,
	})
	if err != nil {
		return nil, err
	}
	out := &PracticeReport{Report: rep, Total: &PracticeGroup{Group: rep.Total}}
	var ids []int
	for _, g := range rep.Groups {
		if g.ClinicianID != 0 {
			ids = append(ids, g.ClinicianID)
		}
	}
	byID := map[int]*ent.Clinician{}
	if len(ids) > 0 {
		cs, err := db.Clinician.Query().Where(clinician.IDIn(slices.Compact(slices.Sorted(slices.Values(ids)))...)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			byID[c.ID] = c
		}
	}
	for _, g := range rep.Groups {
		out.Groups = append(out.Groups, &PracticeGroup{Group: g, Clinician: byID[g.ClinicianID]})
	}
	sort.SliceStable(out.Groups, func(i, j int) bool {
		a, b := out.Groups[i], out.Groups[j]
		if !a.Month.Equal(b.Month) {
			return a.Month.Before(b.Month)
		}
		if a.ClinicianID != b.ClinicianID {
			return strings.ToLower(clinicianName(a.Clinician)) < strings.ToLower(clinicianName(b.Clinician))
		}
		return false // Compute already orders by modality and frequency
	})
	return out, nil
}

func clinicianName(c *ent.Clinician) string {
	if c == nil {
		return ""
	}
	return c.Name
}

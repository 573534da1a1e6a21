package facts

import (
	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/facts/history"
)

// The conversions from ent records to the rules' inputs.

// Client is the rules' view of a client record.
func Client(c *ent.ClientProfile) caseload.Client { return history.Client(c) }

// Appointment is the rules' view of a session record.
func Appointment(a *ent.Appointment) caseload.Appointment {
	out := caseload.Appointment{
		ID:          a.ID,
		ClientID:    a.ClientID,
		ClinicianID: a.ClinicianID,
		Start:       a.StartsAt,
		End:         a.EndsAt,
		Kind:        string(a.Kind),
		Status:      string(a.Status),
		Excused:     a.Excused,
	}
	if a.EpisodeID != nil {
		out.EpisodeID = *a.EpisodeID
	}
	if a.MinutesLate != nil {
		out.MinutesLate = *a.MinutesLate
	}
	if a.CanceledBy != nil {
		out.CanceledBy = string(*a.CanceledBy)
	}
	if a.RescheduledBy != nil {
		out.RescheduledBy = string(*a.RescheduledBy)
	}
	if a.CanceledAt != nil {
		out.CanceledAt = *a.CanceledAt
	}
	if a.ConfirmedAt != nil {
		out.ConfirmedAt = *a.ConfirmedAt
	}
	if a.ReminderSentAt != nil {
		out.ReminderSentAt = *a.ReminderSentAt
	}
	if a.SeriesID != nil {
		out.SeriesID = *a.SeriesID
	}
	return out
}

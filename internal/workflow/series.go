package workflow

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/internal/caseload"
)

// Recurring series (rule 5): booked only for a client who has earned them,
// revoked when the client should lose them.

// RecurringFrequency is how often a recurring series repeats.
type RecurringFrequency string

// The frequencies.
const (
	// Weekly: every week.
	Weekly RecurringFrequency = "WEEKLY"
	// Biweekly: every second week.
	Biweekly RecurringFrequency = "BIWEEKLY"
	// Monthly: every fourth week, on the same weekday.
	Monthly RecurringFrequency = "MONTHLY"
)

// seriesStepDays is the days between two sessions of a series.
var seriesStepDays = map[RecurringFrequency]int{
	Weekly:   7,
	Biweekly: 14,
	Monthly:  28,
}

// CreateRecurringSeriesInput is the sessions to book as a standing series.
type CreateRecurringSeriesInput struct {
	// ClientID is the client: ACTIVE, and has earned the privilege or
	// holds it already.
	ClientID int
	// Weekday is the day of the week, in the practice's time zone.
	Weekday time.Weekday
	// Time is the local start time as HH:MM (24-hour).
	Time string
	// Frequency is how often.
	Frequency RecurringFrequency
	// Count is how many sessions to book (1-52).
	Count int
	// DurationMinutes is each session's length (15-480); nil for 50.
	DurationMinutes *int
	// StartsOn: the first session is on the first matching weekday on or
	// after this date; nil for tomorrow.
	StartsOn *time.Time
	// Kind is what the sessions are for; nil for THERAPY.
	Kind *appointment.Kind
}

// RecurringSeries is a series booked for a client. The audit log names the
// first record field of a payload, so Client stays before Appointments.
type RecurringSeries struct {
	// SeriesID identifies the series; each of its sessions carries it.
	SeriesID string
	// Client is the client, now holding the recurring privilege.
	Client *ent.ClientProfile
	// Appointments are the sessions booked, earliest first.
	Appointments []*ent.Appointment
}

// RevokeRecurringPayload is the result of revoking a client's series.
type RevokeRecurringPayload struct {
	// Client is the client, no longer holding the recurring privilege.
	Client *ent.ClientProfile
	// Canceled are the future sessions of the series that were cancelled
	// (by PRACTICE, never a strike).
	Canceled []*ent.Appointment
}

// parseClock reads HH:MM (24-hour) as minutes after midnight.
func parseClock(s string) (int, bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

// seriesStarts lays out the sessions of a series at the local wall-clock
// time on each date: a daylight-saving change moves the instant, not the
// time on the clinic's clock.
func seriesStarts(loc *time.Location, from time.Time, day time.Weekday, minute, step, count int) []time.Time {
	first := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	first = first.AddDate(0, 0, (int(day)-int(first.Weekday())+7)%7)
	out := make([]time.Time, count)
	for i := range out {
		d := first.AddDate(0, 0, i*step)
		out[i] = time.Date(d.Year(), d.Month(), d.Day(), minute/60, minute%60, 0, 0, loc).UTC()
	}
	return out
}

func newSeriesID() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// CreateRecurringSeries books a standing series for a client who has
// earned it, all of it or nothing. Every refusal of the input is returned
// at once before anything is written; CONFLICT, naming the date, when any
// of its sessions collides with a booked one (then nothing is booked).
func (s *Service) CreateRecurringSeries(ctx context.Context, in CreateRecurringSeriesInput) (*RecurringSeries, error) {
	tx := s.tx(ctx)
	var refused caseload.Collector
	minute, clockOK := parseClock(in.Time)
	if !clockOK {
		refused.Refuse(caseload.Invalid("time", "give the local start time as HH:MM, e.g. 16:30"))
	}
	countOK := in.Count >= 1 && in.Count <= 52
	if !countOK {
		refused.Refuse(caseload.Invalid("count", "book 1 to 52 sessions"))
	}
	length := 50
	if in.DurationMinutes != nil {
		length = *in.DurationMinutes
	}
	if length < 15 || time.Duration(length)*time.Minute > caseload.MaxSession {
		refused.Refuse(caseload.Invalid("durationMinutes", "a session lasts 15 to %d minutes", int(caseload.MaxSession.Minutes())))
	}
	step, stepOK := seriesStepDays[in.Frequency]
	if !stepOK {
		refused.Refuse(caseload.Invalid("frequency", "unknown frequency %s", in.Frequency))
	}
	f := s.facts(ctx)
	rules, err := f.Rules(ctx)
	if err != nil {
		return nil, err
	}
	c, refusal, err := s.seriesClient(ctx, rules, in.ClientID)
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		refused.Refuse(refusal.At("clientID"))
	}
	var starts []time.Time
	if clockOK && countOK && stepOK {
		from := s.now().In(rules.Location).AddDate(0, 0, 1)
		if in.StartsOn != nil {
			from = *in.StartsOn
		}
		starts = seriesStarts(rules.Location, from, in.Weekday, minute, step, in.Count)
		if !caseload.InstantInRange(starts[0]) || !caseload.InstantInRange(starts[len(starts)-1]) {
			refused.Refuse(caseload.Invalid("startsOn", "every session of the series %s", caseload.InstantRangeMessage))
		} else if !starts[0].After(s.now()) {
			refused.Refuse(caseload.Invalid("startsOn", "the first session would be in the past: start later"))
		}
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	id, err := newSeriesID()
	if err != nil {
		return nil, err
	}
	// Every session of the series starts after now, so all are in the open
	// episode's span (SPEC rule 1): one look-up files them all.
	ep, err := OpenEpisode(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	kind := appointment.KindTHERAPY
	if in.Kind != nil {
		kind = *in.Kind
	}
	booked := make([]*ent.Appointment, 0, len(starts))
	for _, start := range starts {
		create := tx.Appointment.Create().
			SetClientID(c.ID).
			SetClinicianID(*c.ClinicianID).
			SetStartsAt(start).
			SetEndsAt(start.Add(time.Duration(length) * time.Minute)).
			SetKind(kind).
			SetSeriesID(id)
		if ep != nil {
			create.SetEpisodeID(ep.ID)
		}
		a, err := create.Save(ctx)
		if clash := (*caseload.Error)(nil); errors.As(err, &clash) && clash.Code == caseload.CodeConflict {
			return nil, caseload.Conflict("the session on %s collides: %s; nothing was booked", start.In(rules.Location).Format("Mon 2 Jan 2006 15:04"), clash.Message)
		}
		if err != nil {
			return nil, err
		}
		booked = append(booked, a)
	}
	c, err = c.Update().SetRecurringPrivilege(true).Save(ctx)
	if err != nil {
		return nil, err
	}
	return &RecurringSeries{SeriesID: id, Client: c, Appointments: booked}, nil
}

// seriesClient returns the client to book a recurring series for, or why
// the client may not have one (rule 5): not found in scope, not ACTIVE, no
// clinician, holding one already, or not earned.
func (s *Service) seriesClient(ctx context.Context, rules caseload.Rules, clientID int) (*ent.ClientProfile, *caseload.Error, error) {
	tx := s.tx(ctx)
	if refusal, err := s.readOnlyClient(ctx, clientID); refusal != nil || err != nil {
		return nil, refusal, err
	}
	c, err := tx.ClientProfile.Get(ctx, clientID)
	switch {
	case ent.IsNotFound(err):
		return nil, caseload.NotFound(), nil
	case err != nil:
		return nil, nil, err
	case c.Status != clientprofile.StatusACTIVE:
		return nil, caseload.PolicyViolation("the client is %s: only an ACTIVE client has a recurring series", c.Status), nil
	case c.ClinicianID == nil:
		return nil, caseload.PolicyViolation("the client has no clinician"), nil
	}
	h, err := s.facts(ctx).History(ctx, c.ID)
	if err != nil {
		return nil, nil, err
	}
	if holds, err := futureSeries(tx, c.ID, s.now()).Exist(ctx); err != nil {
		return nil, nil, err
	} else if holds {
		return nil, caseload.PolicyViolation("the client already has a recurring series: revoke it before booking another"), nil
	}
	verdict := rules.RecurringEligibility(h)
	switch {
	case verdict.ShouldRevoke:
		return nil, caseload.PolicyViolation("a recurring series is not allowed: %s", verdict.Reason), nil
	case !verdict.Eligible && !c.RecurringPrivilege:
		// A privilege once earned lasts until it is revoked: renewing a
		// series that ran out needs no new streak.
		return nil, caseload.PolicyViolation("a recurring series is not earned yet: %s", verdict.Reason), nil
	}
	return c, nil, nil
}

// futureSeries queries the client's booked future sessions of a recurring
// series.
func futureSeries(tx *ent.Client, clientID int, now time.Time) *ent.AppointmentQuery {
	return tx.Appointment.Query().
		Where(
			appointment.ClientID(clientID),
			appointment.StartsAtGT(now),
			appointment.SeriesIDNotNil(),
			appointment.StatusIn(appointment.StatusSCHEDULED, appointment.StatusCONFIRMED),
		)
}

// RevokeRecurringInput is a client's recurring series to revoke.
type RevokeRecurringInput struct {
	// ClientID is the client holding the privilege or a series.
	ClientID int
	// Reason is why, kept on the cancelled sessions; nil for none.
	Reason *string
}

// RevokeRecurring takes the recurring privilege away and cancels the future
// sessions of the client's series (by PRACTICE: never a strike); the reason
// is kept on the cancelled sessions. Every refusal of the input is
// returned at once, before anything is written.
func (s *Service) RevokeRecurring(ctx context.Context, in RevokeRecurringInput) (*RevokeRecurringPayload, error) {
	tx := s.tx(ctx)
	if err := s.mayChangeClient(ctx, "clientID", in.ClientID); err != nil {
		return nil, err
	}
	var refused caseload.Collector
	var future []*ent.Appointment
	c, err := tx.ClientProfile.Get(ctx, in.ClientID)
	switch {
	case ent.IsNotFound(err):
		refused.Refuse(caseload.NotFound().At("clientID"))
	case err != nil:
		return nil, err
	default:
		future, err = futureSeries(tx, c.ID, s.now()).Order(ent.Asc(appointment.FieldStartsAt)).All(ctx)
		if err != nil {
			return nil, err
		}
		if len(future) == 0 && !c.RecurringPrivilege {
			refused.Refuse(caseload.PolicyViolation("the client holds no recurring series").At("clientID"))
		}
	}
	why := "recurring series revoked"
	if in.Reason != nil && strings.TrimSpace(*in.Reason) != "" {
		why += ": " + strings.TrimSpace(*in.Reason)
	}
	if len(why) > 500 {
		refused.Refuse(caseload.Invalid("reason", "at most %d characters", 500-len("recurring series revoked: ")))
	}
	if err := refused.Err(); err != nil {
		return nil, err
	}
	canceled := make([]*ent.Appointment, 0, len(future))
	for _, a := range future {
		a, err := a.Update().
			SetStatus(appointment.StatusCANCELED).
			SetCanceledBy(appointment.CanceledByPRACTICE).
			SetCanceledAt(s.now()).
			SetCancelReason(why).
			Save(ctx)
		if err != nil {
			return nil, err
		}
		canceled = append(canceled, a)
	}
	c, err = c.Update().SetRecurringPrivilege(false).Save(ctx)
	if err != nil {
		return nil, err
	}
	return &RevokeRecurringPayload{Client: c, Canceled: canceled}, nil
}

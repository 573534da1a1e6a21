package fakepractice_test

import (
	"slices"
	"testing"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
)

func checkRules(t *testing.T, w *world) {
	cl := w.clinician
	active := w.activeOf(cl)
	count := func(cs []*ent.ClientProfile, f func(*ent.ClientProfile) bool) int {
		n := 0
		for _, c := range cs {
			if f(c) {
				n++
			}
		}
		return n
	}
	slot := w.freedSlot()
	tests := []struct {
		name  string
		got   func() int
		least int
	}{
		{"rule 1: struck out (3+ strikes in the open episode)", func() int {
			return count(active, func(c *ent.ClientProfile) bool { return w.strikes(c) >= 3 })
		}, 2},
		{"rule 1: exactly 2 strikes", func() int {
			return count(active, func(c *ent.ClientProfile) bool { return w.strikes(c) == 2 })
		}, 1},
		{"rule 1: an excused no-show", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.clientAppts[c.ID], func(a *ent.Appointment) bool {
					return a.Excused && a.Status == appointment.StatusNO_SHOW && a.ExcuseReason != nil && *a.EpisodeID == w.open(c).ID
				})
			})
		}, 1},
		{"rule 1: a late cancellation that is a strike", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.clientAppts[c.ID], func(a *ent.Appointment) bool { return lateCancel(a) && !a.Excused })
			})
		}, 2},
		{"rule 2: never seen, only a future intake", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				as := w.clientAppts[c.ID]
				return len(as) == 1 && as[0].Kind == appointment.KindINTAKE && as[0].StartsAt.After(w.now) && w.lastAttended(c).IsZero()
			})
		}, 1},
		{"rule 3: CLOSURE_WARNING with a past close-by, nothing booked", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return !w.hasFuture(c) && slices.ContainsFunc(w.contacts[c.ID], func(k *ent.Contact) bool {
					return k.Purpose == contact.PurposeCLOSURE_WARNING && k.CloseBy.Before(w.today)
				})
			})
		}, 1},
		{"rule 3: CLOSURE_WARNING with a future close-by", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.contacts[c.ID], func(k *ent.Contact) bool {
					return k.Purpose == contact.PurposeCLOSURE_WARNING && k.CloseBy.After(w.today)
				})
			})
		}, 1},
		{"rule 4: a client cancellation with notice frees a slot on the next business day", func() int {
			if slot == nil {
				return 0
			}
			return 1
		}, 1},
		{"rule 4: eligible backfill candidates with windows", func() int {
			return count(active, func(c *ent.ClientProfile) bool { return len(c.Availability) > 0 && w.backfillEligible(c, slot) })
		}, 2},
		{"rule 4: eligible backfill candidates without windows", func() int {
			return count(active, func(c *ent.ClientProfile) bool { return len(c.Availability) == 0 && w.backfillEligible(c, slot) })
		}, 1},
		{"rule 4: on the backfill list but outside their windows", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return c.WantsEarlierAppointment && len(c.Availability) > 0 && slot != nil && !inWindows(w, c, slot)
			})
		}, 1},
		{"rule 4: on the backfill list but barred by strikes", func() int {
			return count(active, func(c *ent.ClientProfile) bool { return c.WantsEarlierAppointment && w.strikes(c) >= 3 })
		}, 1},
		{"rule 4: a session booked from the backfill list", func() int {
			return count(w.clients, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.clientAppts[c.ID], func(a *ent.Appointment) bool { return a.FilledFromID != nil })
			})
		}, 2},
		{"rule 5: earned recurring (last 3 attended on time), no series yet", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				last := w.countable(c, 3)
				return !c.RecurringPrivilege && len(last) == 3 && !slices.ContainsFunc(last, func(a *ent.Appointment) bool {
					return a.Status != appointment.StatusATTENDED || *a.MinutesLate >= 10
				})
			})
		}, 3},
		{"rule 5: recurring series booked ahead", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				n := 0
				for _, a := range w.clientAppts[c.ID] {
					if a.StartsAt.After(w.now) && a.SeriesID != nil {
						n++
					}
				}
				return c.RecurringPrivilege && n >= 2
			})
		}, 3},
		{"rule 5: should revoke: last 2 cancelled by the client", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				last := w.countable(c, 2)
				return c.RecurringPrivilege && len(last) == 2 && !slices.ContainsFunc(last, func(a *ent.Appointment) bool {
					return a.Status != appointment.StatusCANCELED || *a.CanceledBy != appointment.CanceledByCLIENT
				})
			})
		}, 1},
		{"rule 5: should revoke: last 3 attended late", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				var late []bool
				for _, a := range slices.Backward(w.clientAppts[c.ID]) {
					if a.Status == appointment.StatusATTENDED && len(late) < 3 {
						late = append(late, *a.MinutesLate >= 10)
					}
				}
				return c.RecurringPrivilege && len(late) == 3 && !slices.Contains(late, false)
			})
		}, 1},
		{"rule 6: overdue progress notes (attended > 24 h ago, unsigned)", func() int {
			n := 0
			for _, c := range active {
				for _, a := range w.clientAppts[c.ID] {
					if a.Status == appointment.StatusATTENDED && a.EndsAt.Before(w.now.Add(-24*time.Hour)) && !w.signedNote(a) {
						n++
					}
				}
			}
			return n
		}, 3},
		{"rule 6: a DRAFT progress note", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.docs[c.ID], func(d *ent.Document) bool {
					return d.Kind == document.KindPROGRESS_NOTE && d.Status == document.StatusDRAFT
				})
			})
		}, 1},
		{"rule 6: initial treatment plan overdue (open 30+ days, none)", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return w.open(c).OpenedAt.Before(w.now.AddDate(0, 0, -30)) && w.lastPlan(c).IsZero()
			})
		}, 1},
		{"rule 6: treatment plan review overdue (last plan or review 3+ months ago)", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				p := w.lastPlan(c)
				return !p.IsZero() && p.AddDate(0, 3, 0).Before(w.now)
			})
		}, 2},
		{"rule 6: billable contacts with a signed note", func() int {
			return count(w.clients, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.contacts[c.ID], func(k *ent.Contact) bool { return k.BillableMinutes > 0 && w.contactNoteSigned[k.ID] })
			})
		}, 10},
		{"rule 6: an overdue billable contact without a signed note", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.contacts[c.ID], func(k *ent.Contact) bool {
					return k.BillableMinutes > 0 && !w.contactNoteSigned[k.ID] && k.OccurredAt.Before(w.now.Add(-24*time.Hour))
				})
			})
		}, 1},
		{"rule 6: a termination note missing after a closure", func() int {
			return count(w.withStatus(clientprofile.StatusCLOSED), func(c *ent.ClientProfile) bool {
				return !slices.ContainsFunc(w.docs[c.ID], func(d *ent.Document) bool { return d.Kind == document.KindTERMINATION_NOTE })
			})
		}, 1},
		{"rule 7: an attendance to record (past, still booked)", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.clientAppts[c.ID], func(a *ent.Appointment) bool {
					return !a.StartsAt.After(w.now) && (a.Status == appointment.StatusSCHEDULED || a.Status == appointment.StatusCONFIRMED)
				})
			})
		}, 1},
		{"rule 7: a reminder to send (within 24 h, none sent)", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.clientAppts[c.ID], func(a *ent.Appointment) bool {
					return a.StartsAt.After(w.now) && a.StartsAt.Before(w.now.Add(24*time.Hour)) && a.ReminderSentAt == nil && a.Status != appointment.StatusCANCELED
				})
			})
		}, 1},
		{"rule 7: a reminder already sent for a session within 24 h", func() int {
			return count(w.clients, func(c *ent.ClientProfile) bool {
				return slices.ContainsFunc(w.clientAppts[c.ID], func(a *ent.Appointment) bool {
					return a.StartsAt.After(w.now) && a.StartsAt.Before(w.now.Add(24*time.Hour)) && a.ReminderSentAt != nil
				})
			})
		}, 1},
		{"rule 7: minors with a primary caregiver who consents", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				return w.minor(c) && slices.ContainsFunc(w.caregivers[c.ID], func(g *ent.Caregiver) bool { return g.IsPrimary && g.ConsentToContact })
			})
		}, 5},
		{"rule 7: a minor with no caregiver", func() int {
			return count(active, func(c *ent.ClientProfile) bool { return w.minor(c) && len(w.caregivers[c.ID]) == 0 })
		}, 1},
		{"rule 8: sessions on the next business day's calendar", func() int {
			n := 0
			for _, a := range w.appts {
				if a.ClinicianID == cl.ID && w.civil(a.StartsAt).Equal(w.nextBusinessDay()) {
					n++
				}
			}
			return n
		}, 4},
		{"episodes: a client who came back (a closed and an open episode)", func() int {
			return count(active, func(c *ent.ClientProfile) bool {
				es := w.episodes[c.ID]
				return len(es) == 2 && es[0].ClosedAt != nil && es[1].ClosedAt == nil
			})
		}, 1},
	}
	for _, tt := range tests {
		if got := tt.got(); got < tt.least {
			t.Errorf("%s: got %d, want at least %d", tt.name, got, tt.least)
		}
	}
	checkRecommendations(t, w)

	t.Run("closed episodes", func(t *testing.T) {
		reasons := map[string]bool{}
		for _, c := range w.withStatus(clientprofile.StatusCLOSED) {
			es := w.episodes[c.ID]
			e := es[len(es)-1]
			if e.ClosedAt == nil || e.CloseReason == nil || !e.ClosedAt.Before(w.now) {
				t.Errorf("closed client %d: last episode %+v", c.ID, e)
				continue
			}
			reasons[string(*e.CloseReason)] = true
		}
		if len(reasons) < 5 {
			t.Errorf("close reasons %v, want at least 5 kinds", reasons)
		}
	})
	t.Run("authors", func(t *testing.T) {
		want := w.users["clinician@demo.example"].ID
		for _, c := range active {
			for _, d := range w.docs[c.ID] {
				if d.AuthorID != want {
					t.Fatalf("document %d of clinician@'s client is by user %d, want %d", d.ID, d.AuthorID, want)
				}
			}
		}
	})
	t.Run("attendance mix", func(t *testing.T) {
		var recorded, noShows, clientCancels, clinicianCancels float64
		for _, a := range w.appts {
			if a.StartsAt.After(w.now) || a.Kind == appointment.KindINTAKE {
				continue
			}
			recorded++
			switch {
			case a.Status == appointment.StatusNO_SHOW:
				noShows++
			case a.Status == appointment.StatusCANCELED && *a.CanceledBy == appointment.CanceledByCLIENT:
				clientCancels++
			case a.Status == appointment.StatusCANCELED:
				clinicianCancels++
			}
		}
		for _, r := range []struct {
			what   string
			share  float64
			lo, hi float64
		}{{"no-shows", noShows / recorded, 0.05, 0.11}, {"client cancellations", clientCancels / recorded, 0.04, 0.10}, {"clinician or practice cancellations", clinicianCancels / recorded, 0.01, 0.05}} {
			if r.share < r.lo || r.share > r.hi {
				t.Errorf("%s: %.1f%% of past sessions, want %.0f-%.0f%%", r.what, 100*r.share, 100*r.lo, 100*r.hi)
			}
		}
	})
}

package fakepractice

import (
	"encoding/json"
	"reflect"
	"time"
)

// The tables of the bulk writer: each row as ent writes it.

func (p *planner) tables(h history, appts []*apptPlan, docs []*docPlan, practice, audit int, hash, policy string) []table {
	ref := func(id *int) any {
		if id == nil {
			return nil
		}
		return *id
	}
	return []table{
		{name: "practices", cols: []string{"id", "created_at", "updated_at", "name", "time_zone", "policy"}, n: 1,
			row: func(_ int, b []any) {
				fill(b, practice, p.since, p.since, p.practiceName, timeZone, policy)
			}},
		{name: "users", cols: []string{"id", "created_at", "updated_at", "email", "password_hash", "role", "active", "practice_id"}, n: len(p.users),
			row: func(i int, b []any) {
				u := p.users[i]
				fill(b, u.id, p.since, p.since, u.email, hash, u.role, u.active, practice)
			}},
		{name: "clinicians", cols: []string{"id", "created_at", "updated_at", "name", "credentials", "weekly_slots", "accepting_new_clients",
			"modalities", "practice_id", "supervisor_id", "user_id"}, n: len(p.clinicians),
			row: func(i int, b []any) {
				c := p.clinicians[i]
				mods, _ := json.Marshal(modalityNames(c))
				var supervisor, user *int
				if c.supervisor != nil {
					supervisor = &c.supervisor.id
				}
				if c.user != nil {
					user = &c.user.id
				}
				fill(b, c.id, p.since, p.since, c.name, c.credentials, c.slots, c.accepting, string(mods), practice,
					ref(supervisor), ref(user))
			}},
		{name: "clients", cols: []string{"id", "created_at", "updated_at", "first_name", "last_name", "date_of_birth", "email", "phone",
			"preferred_contact_channel", "session_frequency", "status", "modality", "wants_earlier_appointment", "availability",
			"recurring_privilege", "practice_id", "clinician_id"}, n: len(p.clients),
			row: func(i int, b []any) {
				c := p.clients[i]
				var availability any
				if len(c.availability) > 0 {
					js, _ := json.Marshal(c.availability)
					availability = string(js)
				}
				var clin *int
				if c.clin != nil {
					clin = &c.clin.id
				}
				fill(b, c.id, c.createdAt, c.updatedAt(), c.first, c.last, dateColumn(c.dob), value(c.email), value(c.phone),
					c.channel, c.freq, c.status, value(c.modality), c.wantsEarlier, availability, c.recurring, practice, ref(clin))
			}},
		{name: "caregivers", cols: []string{"id", "created_at", "updated_at", "name", "relationship", "phone", "email", "is_primary",
			"consent_to_contact", "practice_id", "client_id"}, n: len(h.caregivers),
			row: func(i int, b []any) {
				g := h.caregivers[i]
				at := g.client.createdAt
				fill(b, g.id, at, at, g.name, g.relationship, value(g.phone), value(g.email), g.primary, g.consent, practice, g.client.id)
			}},
		{name: "episodes", cols: []string{"id", "created_at", "updated_at", "opened_at", "closed_at", "close_reason", "client_id",
			"practice_id", "clinician_id"}, n: len(h.episodes),
			row: func(i int, b []any) {
				e := h.episodes[i]
				fill(b, e.id, e.openedAt, e.updatedAt(), e.openedAt, value(e.closedAt), value(e.reason), e.client.id, practice, e.clin.id)
			}},
		{name: "appointments", cols: []string{"id", "created_at", "updated_at", "starts_at", "ends_at", "kind", "status", "minutes_late",
			"canceled_by", "canceled_at", "cancel_reason", "confirmed_at", "reminder_sent_at", "reminder_channel", "excused",
			"excuse_reason", "series_id", "practice_id", "filled_from_id", "client_id", "clinician_id", "episode_id"}, n: len(appts),
			row: func(i int, b []any) {
				a := appts[i]
				var filledFrom *int
				if a.filledFrom != nil {
					filledFrom = &a.filledFrom.id
				}
				fill(b, a.id, a.createdAt, a.updatedAt, a.start, a.end, a.kind, a.status, value(a.minutesLate), value(a.canceledBy),
					value(a.canceledAt), value(a.cancelReason), value(a.confirmedAt), value(a.reminderAt), value(a.reminderChannel),
					a.excused, value(a.excuseReason), value(a.seriesID), practice, ref(filledFrom), a.client.id, a.clin.id, a.ep.id)
			}},
		{name: "contacts", cols: []string{"id", "created_at", "updated_at", "channel", "direction", "purpose", "occurred_at",
			"billable_minutes", "close_by", "note", "client_id", "practice_id", "clinician_id"}, n: len(h.contacts),
			row: func(i int, b []any) {
				k := h.contacts[i]
				var clin *int
				if k.clin != nil {
					clin = &k.clin.id
				}
				fill(b, k.id, k.at, k.at, k.channel, k.direction, k.purpose, k.at, k.billable, dateColumn(k.closeBy),
					k.note, k.client.id, practice, ref(clin))
			}},
		{name: "documents", cols: []string{"id", "created_at", "updated_at", "kind", "body", "status", "signed_at", "version",
			"appointment_id", "client_id", "contact_id", "practice_id", "author_id", "amends_id"}, n: len(docs),
			row: func(i int, b []any) {
				d := docs[i]
				var appt, contact, amends *int
				if d.appt != nil {
					appt = &d.appt.id
				}
				if d.contact != nil {
					contact = &d.contact.id
				}
				if d.amends != nil {
					amends = &d.amends.id
				}
				fill(b, d.id, d.createdAt, d.updatedAt, d.kind, d.body, d.status, value(d.signedAt), d.version, ref(appt),
					d.client.id, ref(contact), practice, p.author(d).id, ref(amends))
			}},
		{name: "new_client_requests", cols: []string{"id", "created_at", "updated_at", "count", "note", "status", "assigned_count",
			"closed_at", "clinician_id", "practice_id"}, n: len(p.requests),
			row: func(i int, b []any) {
				r := p.requests[i]
				fill(b, r.id, r.createdAt, r.updatedAt, r.count, r.note, r.status, r.assigned, value(r.closedAt), r.clin.id, practice)
			}},
		{name: "audit_events", cols: []string{"id", "action", "entity_type", "entity_id", "occurred_at", "detail", "outcome", "practice_id"}, n: 1,
			row: func(_ int, b []any) {
				fill(b, audit, p.audit, "Practice", practice, p.now, p.auditDetail(), "SUCCESS", practice)
			}},
	}
}

func fill(b []any, vals ...any) { copy(b, vals) }

// value is a nullable column: NULL for a nil pointer.
func value[T any](v *T) any {
	if v == nil {
		return nil
	}
	return *v
}

// dateColumn is a nullable date column.
func dateColumn(t *time.Time) any {
	if t == nil {
		return nil
	}
	return civilDate(*t)
}

// plainString turns a value of a named string type (the enums of ent) into
// a string, which every driver takes.
func plainString(v any) (string, bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.String {
		return "", false
	}
	return rv.String(), true
}

package main

import (
	"sync"
	"testing"
	"time"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/ent/idempotencyrecord"
	"github.com/caseload/caseload/graph"
	"github.com/caseload/caseload/internal/testdb"
)

func TestIdempotencyKeys(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		ann := f.ownClients[0]
		slot := time.Date(2026, time.March, 16, 14, 0, 0, 0, time.UTC)
		body := func(start time.Time) map[string]any {
			return map[string]any{"query": schedule, "variables": slotInput(ann.ID, start)}
		}
		key := map[string]string{graph.IdempotencyKeyHeader: "7f1c9a52-booking-1"}
		sessions := func() int {
			return must(s.main.DB.Ent.Appointment.Query().Where(appointment.ClientID(ann.ID), appointment.StartsAtGTE(testNow)).Count(sys()))
		}

		first := s.doWith(tok, body(slot), key)
		if first.code() != "" || first.Extensions["idempotentReplay"] != nil {
			t.Fatalf("first request: %+v %v", first.Errors, first.Extensions)
		}
		retry := s.doWith(tok, body(slot), key)
		if retry.code() != "" || retry.Extensions["idempotentReplay"] != true {
			t.Fatalf("retry: %+v %v, want a replay", retry.Errors, retry.Extensions)
		}
		id := first.Data["scheduleAppointment"].(map[string]any)["appointment"].(map[string]any)["id"]
		if retry.Data["scheduleAppointment"].(map[string]any)["appointment"].(map[string]any)["id"] != id {
			t.Errorf("the retry answered %v, want the first answer %v", retry.Data, first.Data)
		}
		if n := sessions(); n != 1 {
			t.Errorf("%d sessions booked after a retry, want 1", n)
		}

		// The same key with other input is refused, and changes nothing.
		if r := s.doWith(tok, body(slot.Add(2*time.Hour)), key); r.code() != "CONFLICT" {
			t.Errorf("the same key with another time: %+v, want CONFLICT", r.Errors)
		}
		if n := sessions(); n != 1 {
			t.Errorf("%d sessions after a reused key, want 1", n)
		}

		// Keys are per user: another user's identical key is theirs.
		dee := f.otherClients[0]
		r := s.doWith(s.token(f.otherUser), map[string]any{"query": schedule, "variables": slotInput(dee.ID, slot.Add(3*time.Hour))}, key)
		if r.code() != "" || r.Extensions["idempotentReplay"] != nil {
			t.Errorf("another user's request with the same key: %+v %v, want it run", r.Errors, r.Extensions)
		}

		// A failed request is not remembered: fixing the input and retrying
		// with the same key goes through.
		fixKey := map[string]string{graph.IdempotencyKeyHeader: "7f1c9a52-booking-2"}
		if r := s.doWith(tok, body(slot.Add(30*time.Minute)), fixKey); r.code() != "CONFLICT" {
			t.Fatalf("a double booking: %+v, want CONFLICT", r.Errors)
		}
		if r := s.doWith(tok, body(slot.Add(4*time.Hour)), fixKey); r.code() != "" || r.Extensions["idempotentReplay"] != nil {
			t.Errorf("the corrected request with the failed one's key: %+v %v, want it run", r.Errors, r.Extensions)
		}

		// The key may come in the request's extensions instead of a header.
		viaExt := body(slot.AddDate(0, 0, 1))
		viaExt["extensions"] = map[string]any{"idempotencyKey": "ext-key-1"}
		s.doWith(tok, viaExt, nil)
		if r := s.doWith(tok, viaExt, nil); r.Extensions["idempotentReplay"] != true {
			t.Errorf("a retry keyed in extensions: %+v %v, want a replay", r.Errors, r.Extensions)
		}

		for _, bad := range []string{"has space", string(make([]byte, 256))} {
			if r := s.doWith(tok, body(slot.AddDate(0, 0, 2)), map[string]string{graph.IdempotencyKeyHeader: bad}); r.code() != "BAD_USER_INPUT" {
				t.Errorf("key %q: %+v, want BAD_USER_INPUT", bad, r.Errors)
			}
		}

		// After a day the key is forgotten and may be used again.
		must(s.main.DB.Ent.IdempotencyRecord.Update().Where(idempotencyrecord.Key("7f1c9a52-booking-1")).
			SetCreatedAt(testNow.Add(-graph.IdempotencyTTL - time.Minute)).Save(sys()))
		if r := s.doWith(tok, body(slot.AddDate(0, 0, 3)), key); r.code() != "" || r.Extensions["idempotentReplay"] != nil {
			t.Errorf("an expired key: %+v %v, want the request run", r.Errors, r.Extensions)
		}
	})
}

// Twenty copies of one keyed request at once (a phone retrying on a flaky
// network): one booking, and every copy gets its answer.
func TestConcurrentRetriesWithOneKey(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tok := s.token(f.clinicianUser)
		ann := f.ownClients[0]
		slot := time.Date(2026, time.March, 16, 14, 0, 0, 0, time.UTC)
		req := map[string]any{"query": schedule, "variables": slotInput(ann.ID, slot)}
		key := map[string]string{graph.IdempotencyKeyHeader: "retry-storm"}
		ids := make([]any, 20)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := s.doWith(tok, req, key)
				if r.code() != "" {
					t.Errorf("copy %d: %+v", i, r.Errors)
					return
				}
				ids[i] = r.Data["scheduleAppointment"].(map[string]any)["appointment"].(map[string]any)["id"]
			}()
		}
		wg.Wait()
		for i, id := range ids {
			if id != ids[0] {
				t.Errorf("copy %d answered %v, copy 0 %v: want one booking", i, id, ids[0])
			}
		}
		if n := must(s.main.DB.Ent.Appointment.Query().Where(appointment.ClientID(ann.ID), appointment.StartsAt(slot)).Count(sys())); n != 1 {
			t.Errorf("%d bookings, want 1", n)
		}
	})
}

// The database itself keeps one progress note per session, whatever the
// code in front of it checks.
func TestOneNotePerSessionInTheDatabase(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		ann := f.ownClients[0]
		a := must(s.main.DB.Ent.Appointment.Query().Where(appointment.ClientID(ann.ID)).First(sys()))
		note := func(kind document.Kind) error {
			return s.main.DB.Ent.Document.Create().SetPracticeID(f.practice.ID).SetClientID(ann.ID).SetAuthorID(f.clinicianUser.ID).
				SetAppointmentID(a.ID).SetKind(kind).SetBody("note").Exec(sys())
		}
		if err := note(document.KindPROGRESS_NOTE); err != nil {
			t.Fatal(err)
		}
		if err := note(document.KindPROGRESS_NOTE); err == nil {
			t.Errorf("a second progress note for one session was stored")
		}
		// Through the API, ten phones saving the note of another session at
		// once: one note, and the others are told why.
		b := must(s.main.DB.Ent.Appointment.Query().Where(appointment.ClientID(f.ownClients[1].ID)).First(sys()))
		b = must(b.Update().SetStatus(appointment.StatusATTENDED).Save(sys())) // only an attended session has notes
		tok := s.token(f.clinicianUser)
		codes := make([]string, 10)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = s.do(tok, `mutation($c: ID!, $a: ID!) { createDocument(input: {kind: PROGRESS_NOTE, clientID: $c, appointmentID: $a, body: "draft"}) { document { id } userErrors { field message code } } }`,
					map[string]any{"c": encodeID(b.ClientID), "a": encodeID(b.ID)}).code()
			}()
		}
		wg.Wait()
		won := 0
		for _, c := range codes {
			if c == "" {
				won++
			} else if c != "CONFLICT" {
				t.Errorf("a losing save got %q, want CONFLICT", c)
			}
		}
		if n := must(s.main.DB.Ent.Document.Query().Where(document.AppointmentID(b.ID)).Count(sys())); won != 1 || n != 1 {
			t.Errorf("%d saves succeeded, %d notes stored; want 1 and 1 (codes %v)", won, n, codes)
		}
		// Other kinds of document about the session are not limited.
		for range 2 {
			if err := note(document.KindTREATMENT_PLAN_REVIEW); err != nil {
				t.Errorf("a treatment plan review for the session: %v", err)
			}
		}
	})
}

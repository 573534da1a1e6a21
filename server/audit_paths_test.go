package main

import (
	"cmp"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/graph"
	"github.com/caseload/caseload/internal/phi"
	"github.com/caseload/caseload/internal/testdb"
)

// Audit by construction: every path from a root query field to a field of
// the PHI declaration (internal/phi), through objects, lists, connections
// and interfaces, nested, is derived from the schema, asked as its own
// request against records whose field is set, and each request must leave
// an audit event naming the record read. A new PHI field, a new type, list
// or field leading to one cannot skip the audit without failing here.
func TestEveryPathToPHIIsAudited(t *testing.T) {
	schema := graph.NewSchema(graph.Options{}).Schema()
	paths := phiPaths(schema, 5)
	if len(paths) < 100 {
		t.Fatalf("only %d paths to PHI fields: the walk is broken", len(paths))
	}
	// Every declared field that a query can reach has a path; the rest are
	// fields of mutation payloads, audited as their mutation.
	reached := map[string]bool{}
	for _, p := range paths {
		reached[p.target.Type+"."+p.target.Field] = true
	}
	for _, f := range phi.Fields() {
		if !reached[f.Type+"."+f.Field] && f.Filterable {
			t.Errorf("%s.%s: no path from Query reaches it: the walk is broken", f.Type, f.Field)
		}
	}
	// No object field of the schema that is PHI by its name alone is left off
	// the declaration: a new free-text field has to be declared or be
	// listed here as not about a person.
	notPHI := map[string]bool{
		"Clinician.name": true, "Clinician.credentials": true, "Practice.name": true, "Practice.timeZone": true,
		"User.email": true, "Caregiver.relationship": true,
		// Written by the server from the rules, never typed by a person.
		"RecurringEligibility.reason": true,
	}
	for _, def := range schema.Types {
		if def.Kind != ast.Object || strings.HasPrefix(def.Name, "__") {
			continue
		}
		for _, f := range def.Fields {
			n := strings.ToLower(f.Name)
			suspicious := strings.Contains(n, "name") && f.Type.Name() == "String" ||
				strings.Contains(n, "note") && f.Type.Name() == "String" ||
				strings.Contains(n, "reason") && f.Type.Name() == "String" && f.Type.Elem == nil ||
				strings.Contains(n, "body") || n == "email" || n == "phone" || strings.Contains(n, "birth")
			if suspicious && !phi.Is(def.Name, f.Name) && !notPHI[def.Name+"."+f.Name] && !mutationPayload(def.Name) {
				t.Errorf("%s.%s looks like PHI but is not in internal/phi (declare it, or list it in notPHI with why)", def.Name, f.Name)
			}
		}
	}
	t.Logf("%d paths to %d PHI fields", len(paths), len(reached))

	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		fx := seedPHI(t, s, f)
		admin, clin := s.token(f.admin), s.token(f.clinicianUser)
		// hops are the ways a PHI field is reached at its last step: the
		// field that hands the record over (a plain object, a list, a
		// connection's edge, an interface) is what the audit sees.
		hops := map[string][]string{}
		for _, p := range paths {
			hops[p.hop()] = append(hops[p.hop()], p.String())
		}
		// Each path is its own request; four at a time. The audit events
		// are read once at the end, by request id.
		type read struct {
			p     phiPath
			query string
			reqID string
			ids   []int
		}
		reads := make([]*read, len(paths))
		var wg sync.WaitGroup
		next := make(chan int)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					p := paths[i]
					query, err := p.query(schema, fx.ids)
					if err != nil {
						t.Errorf("%s: %v", p, err)
						continue
					}
					for _, token := range []string{admin, clin} {
						rec := s.post(token, strings.NewReader(toJSON(map[string]any{"query": query})), -1, nil)
						r := decode(t, rec)
						if len(r.Errors) > 0 {
							continue // e.g. myCalendar is a clinician's: try the next
						}
						if ids := p.readIDs(r.Data); len(ids) > 0 {
							reads[i] = &read{p: p, query: query, reqID: rec.Header().Get("X-Request-ID"), ids: ids}
							break
						}
						// nothing there for this viewer: try the next
					}
				}
			}()
		}
		for i := range paths {
			next <- i
		}
		close(next)
		wg.Wait()
		byRequest := map[string][]*ent.AuditEvent{}
		for _, e := range must(s.main.DB.Ent.AuditEvent.Query().All(sys())) {
			byRequest[e.RequestID] = append(byRequest[e.RequestID], e)
		}
		proven := map[string]bool{}
		for _, r := range reads {
			if r == nil {
				continue
			}
			events := byRequest[r.reqID]
			for _, id := range r.ids {
				if !audited(events, r.p.target, id, fx) {
					t.Errorf("%s: reading %s.%s of %d left no audit event (request %s, %d events)\n%s", r.p, r.p.target.Type, r.p.target.Field, id, r.reqID, len(events), r.query)
				}
			}
			proven[r.p.String()] = true
			proven[r.p.hop()] = true
		}
		n := 0
		for hop, ps := range hops {
			if !proven[hop] {
				t.Errorf("%s: no path reaching it this way found a record with the field set (extend seedPHI): %s", hop, strings.Join(ps, ", "))
			}
		}
		for _, p := range paths {
			if proven[p.String()] {
				n++
			}
		}
		t.Logf("%d paths read PHI and were audited; every one of the %d last steps proven", n, len(hops))
	})
}

// mutationPayload says whether a type is only a mutation's result.
func mutationPayload(name string) bool {
	return strings.HasSuffix(name, "Payload") || name == "ReminderRecipient"
}

// audited says whether events hold the read of field of record id.
func audited(events []*ent.AuditEvent, f phi.Field, id int, fx *phiFixture) bool {
	entity := id
	if f.Type == "Caregiver" {
		entity = fx.caregiverClient[id] // a caregiver's details are its client's identity
	}
	for _, e := range events {
		if e.Outcome == auditevent.OutcomeSUCCESS && e.EntityID != nil && *e.EntityID == entity &&
			strings.Contains(e.Detail, f.Type+"."+f.Field) {
			return true
		}
	}
	return false
}

// phiFixture is a practice where every PHI field is set somewhere.
type phiFixture struct {
	// ids are the records node(id:) and required ID arguments use, by type.
	ids             map[string]int
	caregiverClient map[int]int
}

func seedPHI(t *testing.T, s *apiServer, f *practiceFixture) *phiFixture {
	t.Helper()
	c, ctx := s.main.DB.Ent, sys()
	ann := f.ownClients[0]
	// Every client has every identifying field and wants an earlier slot
	// (a backfill candidate); Ann is a minor with a primary caregiver who
	// consented to contact (the calendar names only such a caregiver).
	must(0, c.ClientProfile.Update().SetEmail("someone@example.org").SetPhone("+1 555 0101").
		SetDateOfBirth(time.Date(1990, 1, 2, 0, 0, 0, 0, time.UTC)).SetWantsEarlierAppointment(true).Exec(ctx))
	must(ann.Update().SetDateOfBirth(time.Date(2015, 1, 2, 0, 0, 0, 0, time.UTC)).Save(ctx))
	cg := must(c.Caregiver.Create().SetPracticeID(f.practice.ID).SetClientID(ann.ID).SetName("Pat Parent").SetRelationship("parent").
		SetPhone("+1 555 0100").SetEmail("pat@example.org").SetIsPrimary(true).SetConsentToContact(true).Save(ctx))
	ep := must(c.Episode.Query().Where(episode.ClientID(ann.ID)).First(ctx))
	// Last week's session, attended, its note a draft past due.
	past := must(must(c.Appointment.Query().Where(appointment.ClientID(ann.ID)).First(ctx)).Update().SetStatus("ATTENDED").Save(ctx))
	start := testNow.AddDate(0, 0, 2)
	appt := must(c.Appointment.Create().SetPracticeID(f.practice.ID).SetClientID(ann.ID).SetClinicianID(f.clinician.ID).SetEpisodeID(ep.ID).
		SetStartsAt(start).SetEndsAt(start.Add(50 * time.Minute)).SetStatus("CANCELED").SetCanceledAt(testNow).Save(ctx))
	// Tomorrow's session, on the calendar and each client's next.
	tomorrow := testNow.AddDate(0, 0, 1).Truncate(24 * time.Hour).Add(15 * time.Hour)
	must(c.Appointment.Create().SetPracticeID(f.practice.ID).SetClientID(ann.ID).SetClinicianID(f.clinician.ID).SetEpisodeID(ep.ID).
		SetStartsAt(tomorrow).SetEndsAt(tomorrow.Add(50 * time.Minute)).Save(ctx))
	// Every session has both reasons (the fixture needs the fields set
	// wherever a session is reached, not a plausible history).
	must(0, c.Appointment.Update().SetCancelReason("Hospitalized that week").SetExcuseReason("Medical: discharge papers provided").Exec(ctx))
	contact := must(c.Contact.Create().SetPracticeID(f.practice.ID).SetClientID(ann.ID).SetClinicianID(f.clinician.ID).
		SetChannel("PHONE").SetDirection("OUTBOUND").SetPurpose("CLOSURE_WARNING").SetOccurredAt(testNow.AddDate(0, 0, -20)).
		SetCloseBy(testNow.AddDate(0, 0, -1)).SetBillableMinutes(15).SetNote("spoke about the relapse").Save(ctx))
	// A note past due, of a past session and of the contact.
	doc := must(c.Document.Create().SetPracticeID(f.practice.ID).SetClientID(ann.ID).SetAuthorID(f.clinicianUser.ID).
		SetKind("PROGRESS_NOTE").SetBody("clinical text").SetAppointmentID(past.ID).Save(ctx))
	must(c.Document.Create().SetPracticeID(f.practice.ID).SetClientID(ann.ID).SetAuthorID(f.clinicianUser.ID).
		SetKind("CONTACT_NOTE").SetBody("contact note text").SetContactID(contact.ID).Save(ctx))
	must(c.Document.Create().SetPracticeID(f.practice.ID).SetClientID(ann.ID).SetAuthorID(f.clinicianUser.ID).
		SetKind("PROGRESS_NOTE").SetBody("addendum text").SetAmendsID(doc.ID).Save(ctx))
	req := must(c.NewClientRequest.Create().SetPracticeID(f.practice.ID).SetClinicianID(f.clinician.ID).SetCount(2).
		SetNote("no one recently hospitalized").Save(ctx))
	return &phiFixture{
		ids: map[string]int{
			"Client": ann.ID, "Caregiver": cg.ID, "Appointment": appt.ID, "Contact": contact.ID, "Document": doc.ID,
			"NewClientRequest": req.ID, "Episode": ep.ID, "Clinician": f.clinician.ID, "User": f.clinicianUser.ID,
			"Practice": f.practice.ID,
		},
		caregiverClient: map[int]int{cg.ID: ann.ID},
	}
}

// phiPath is one way from a root query field to a PHI field.
type phiPath struct {
	steps  []pathStep
	target phi.Field
}

type pathStep struct {
	field *ast.FieldDefinition
	// on is the object type when the field's type is an interface or
	// union: the step is a fragment on it.
	on string
}

func (p phiPath) String() string {
	var b strings.Builder
	for i, s := range p.steps {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.field.Name)
		if s.on != "" {
			b.WriteString("<" + s.on + ">")
		}
	}
	return b.String() + "." + p.target.Field
}

// phiPaths walks the schema from Query: every path to a PHI field, through
// at most depth objects, visiting no object type twice on one path.
func phiPaths(s *ast.Schema, depth int) []phiPath {
	var out []phiPath
	var walk func(def *ast.Definition, steps []pathStep, seen map[string]bool)
	walk = func(def *ast.Definition, steps []pathStep, seen map[string]bool) {
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if p, ok := phi.Lookup(def.Name, f.Name); ok && len(steps) > 0 {
				out = append(out, phiPath{steps: append([]pathStep(nil), steps...), target: p})
				continue
			}
			t := s.Types[f.Type.Name()]
			if t == nil || len(steps) >= depth {
				continue
			}
			var targets []*ast.Definition
			on := false
			switch t.Kind {
			case ast.Object:
				targets = []*ast.Definition{t}
			case ast.Interface, ast.Union:
				on = true
				targets = s.GetPossibleTypes(t)
			default:
				continue
			}
			for _, obj := range targets {
				if seen[obj.Name] {
					continue
				}
				step := pathStep{field: f}
				if on {
					step.on = obj.Name
				}
				seen[obj.Name] = true
				walk(obj, append(steps, step), seen)
				delete(seen, obj.Name)
			}
		}
	}
	walk(s.Query, nil, map[string]bool{"Query": true})
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// query writes the path as an operation: each step with its required
// arguments, `id` next to the PHI field.
func (p phiPath) query(s *ast.Schema, ids map[string]int) (string, error) {
	inner := p.target.Field
	if p.hasID(len(p.steps) - 1) {
		inner = "__typename id " + inner
	}
	for i := len(p.steps) - 1; i >= 0; i-- {
		st := p.steps[i]
		args, err := stepArgs(s, st, ids)
		if err != nil {
			return "", err
		}
		if st.on != "" {
			inner = "... on " + st.on + " { " + inner + " }"
		}
		inner = st.field.Name + args + " { " + inner + " }"
	}
	return "{ " + inner + " }", nil
}

// hop names the path's last step: the type holding the field that hands
// the record over, that field, and the PHI field read.
func (p phiPath) hop() string {
	holder := "Query"
	if n := len(p.steps); n > 1 {
		prev := p.steps[n-2]
		holder = cmp.Or(prev.on, prev.field.Type.Name())
	}
	last := p.steps[len(p.steps)-1]
	return fmt.Sprintf("%s.%s(%s)->%s.%s", holder, last.field.Name, last.field.Type, p.target.Type, p.target.Field)
}

// hasID says whether the object step i leads to has an id.
func (p phiPath) hasID(i int) bool {
	return p.target.Type != "ReminderRecipient" && p.target.Type != "SendClosureWarningPayload"
}

// stepArgs fills a field's arguments: pages of 100, the fixture's record for
// an id, a value of the right type for other required arguments.
func stepArgs(s *ast.Schema, st pathStep, ids map[string]int) (string, error) {
	var parts []string
	for _, a := range st.field.Arguments {
		var v string
		switch {
		case a.Name == "first":
			v = "5"
		case a.Name == "id" && st.on != "":
			id, ok := ids[st.on]
			if !ok {
				return "", fmt.Errorf("no fixture record of %s for %s(id:)", st.on, st.field.Name)
			}
			v = fmt.Sprintf("%q", encodeID(id))
		case a.Name == "ids" && st.on != "":
			id, ok := ids[st.on]
			if !ok {
				return "", fmt.Errorf("no fixture record of %s for %s(ids:)", st.on, st.field.Name)
			}
			v = fmt.Sprintf("[%q]", encodeID(id))
		case !a.Type.NonNull || a.DefaultValue != nil:
			continue
		case a.Type.Name() == "ID" && strings.HasSuffix(a.Name, "ID"):
			typ := strings.ToUpper(a.Name[:1]) + strings.TrimSuffix(a.Name[1:], "ID")
			id, ok := ids[typ]
			if !ok {
				return "", fmt.Errorf("no fixture record for %s(%s:)", st.field.Name, a.Name)
			}
			v = fmt.Sprintf("%q", encodeID(id))
		case a.Type.Name() == "Date":
			v = map[string]string{"from": `"2020-01-01"`, "to": `"2030-01-01"`}[a.Name]
			if v == "" {
				v = fmt.Sprintf("%q", testNow.Format(time.DateOnly))
			}
		case s.Types[a.Type.Name()] != nil && s.Types[a.Type.Name()].Kind == ast.Enum:
			v = s.Types[a.Type.Name()].EnumValues[0].Name
		default:
			return "", fmt.Errorf("no value for the required argument %s(%s: %s)", st.field.Name, a.Name, a.Type)
		}
		parts = append(parts, a.Name+": "+v)
	}
	if len(parts) == 0 {
		return "", nil
	}
	return "(" + strings.Join(parts, ", ") + ")", nil
}

// readIDs walks the response along the path: the ids of the records whose
// PHI field came back set.
func (p phiPath) readIDs(data map[string]any) []int {
	var out []int
	var walk func(v any, i int)
	walk = func(v any, i int) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e, i)
			}
		case map[string]any:
			if i == len(p.steps) {
				if x[p.target.Field] == nil {
					return
				}
				if id, err := decodeForTest(x["id"]); err == nil {
					out = append(out, id)
				}
				return
			}
			walk(x[p.steps[i].field.Name], i+1)
		}
	}
	walk(data, 0)
	return out
}

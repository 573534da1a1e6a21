package facts

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/caregiver"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/internal/caseload"
	"github.com/caseload/caseload/internal/viewer"
)

// Store is the per-operation store of what the rules need: the practice's
// rules and the histories of the clients the operation touches.
//
// It keeps the statement count of a screen independent of its size: every
// client (or appointment) the operation reads is registered by an ent
// interceptor, and the first rule that needs a history loads the histories
// of all registered clients at once, one query per kind of fact. Later rules
// find theirs already loaded. There is no timing involved (unlike a
// dataloader's batching window), so the count is the same on every run.
type Store struct {
	db *ent.Client
	// dialect is the database's, for the histories' statement.
	dialect string
	now     func() time.Time

	mu    sync.Mutex
	rules *caseload.Rules

	histories    *batch[*caseload.History]
	facts        *batch[*caseload.ClientFacts]
	appointments *batch[*ent.Appointment]
	documents    *batch[*ent.Document]
	contacts     *batch[*ent.Contact]
	clients      *batch[*ent.ClientProfile]
	caregivers   *batch[*ent.Caregiver]
	// caseloads are the client ids of each clinician.
	caseloads *batch[[]int]
	// caseloadFacts are the facts of each clinician's clients read so far
	// (see Caseload), under mu.
	caseloadFacts map[int][]caseload.ClientFacts
	// ownCaseload is the viewer's clinician when the operation asks for
	// figures of the viewer's own caseload (see Prime), else 0.
	ownCaseload int
	// calendarDays are the days the operation's calendars show (the zero
	// time: tomorrow), whose sessions are loaded with the others the rules
	// point at.
	calendarDays []time.Time
}

// New returns an empty store for one operation on db (whose dialect the
// histories' statement is written in), at the clock now.
func New(db *ent.Client, dialectName string, now func() time.Time) *Store {
	f := &Store{db: db, dialect: dialectName, now: now}
	f.histories = newBatch(func(ctx context.Context, ids []int) (map[int]*caseload.History, error) {
		return f.loadHistories(ctx, ids)
	})
	f.facts = newBatch(func(ctx context.Context, ids []int) (map[int]*caseload.ClientFacts, error) {
		return f.loadFacts(ctx, ids)
	})
	f.appointments = newBatch(func(ctx context.Context, ids []int) (map[int]*ent.Appointment, error) {
		rows, err := f.entClient(ctx).Appointment.Query().Where(appointment.IDIn(ids...)).All(withoutRegistration(ctx))
		f.attachClients(rows)
		return byID(rows, func(a *ent.Appointment) int { return a.ID }), err
	})
	f.documents = newBatch(func(ctx context.Context, ids []int) (map[int]*ent.Document, error) {
		rows, err := f.entClient(ctx).Document.Query().Where(document.IDIn(ids...)).All(ctx)
		return byID(rows, func(d *ent.Document) int { return d.ID }), err
	})
	f.contacts = newBatch(func(ctx context.Context, ids []int) (map[int]*ent.Contact, error) {
		rows, err := f.entClient(ctx).Contact.Query().Where(contact.IDIn(ids...)).All(ctx)
		return byID(rows, func(c *ent.Contact) int { return c.ID }), err
	})
	f.clients = newBatch(func(ctx context.Context, ids []int) (map[int]*ent.ClientProfile, error) {
		rows, err := f.entClient(ctx).ClientProfile.Query().Where(clientprofile.IDIn(ids...)).All(withoutRegistration(ctx))
		return byID(rows, func(c *ent.ClientProfile) int { return c.ID }), err
	})
	f.caregivers = newBatch(func(ctx context.Context, ids []int) (map[int]*ent.Caregiver, error) {
		rows, err := f.entClient(ctx).Caregiver.Query().Where(caregiver.IDIn(ids...)).All(ctx)
		return byID(rows, func(c *ent.Caregiver) int { return c.ID }), err
	})
	f.caseloads = newBatch(func(ctx context.Context, ids []int) (map[int][]int, error) {
		// Whole rows: the histories need them, and read none again.
		rows, err := f.entClient(ctx).ClientProfile.Query().Where(clientprofile.ClinicianIDIn(ids...)).All(withoutRegistration(ctx))
		if err != nil {
			return nil, err
		}
		out := make(map[int][]int, len(ids))
		for _, id := range ids {
			out[id] = []int{}
		}
		clients := make([]int, 0, len(rows))
		for _, c := range rows {
			out[*c.ClinicianID] = append(out[*c.ClinicianID], c.ID)
			clients = append(clients, c.ID)
			f.clients.prime(c.ID, c)
		}
		// Every caseload read here will want its facts: load them together.
		f.facts.register(clients...)
		return out, nil
	})
	return f
}

// attachClients sets the client edge of sessions whose client the
// operation has read already, so that a screen's sessions do not each read
// their client again.
func (f *Store) attachClients(rows []*ent.Appointment) {
	ids := make([]int, len(rows))
	for i, a := range rows {
		ids[i] = a.ClientID
	}
	known, _ := f.clients.cached(ids)
	for _, a := range rows {
		if c := known[a.ClientID]; c != nil && a.Edges.Client == nil {
			a.Edges.Client = c
		}
	}
}

func byID[V any](rows []V, id func(V) int) map[int]V {
	m := make(map[int]V, len(rows))
	for _, r := range rows {
		m[id(r)] = r
	}
	return m
}

type storeKey struct{}

// holder is what the context carries: a mutation replaces the store after
// each root field has written (see Forget), so that the fields it returns
// are computed from the data as it now is.
type holder struct {
	mu sync.Mutex
	s  *Store
}

// NewContext returns ctx carrying the operation's store.
func NewContext(ctx context.Context, s *Store) context.Context {
	return context.WithValue(ctx, storeKey{}, &holder{s: s})
}

// FromContext returns the operation's store, or nil outside an operation.
func FromContext(ctx context.Context) *Store {
	h, _ := ctx.Value(storeKey{}).(*holder)
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.s
}

// Forget drops what the operation has read so far: the next rule loads the
// data again, with the mutation's writes.
func Forget(ctx context.Context) {
	h, _ := ctx.Value(storeKey{}).(*holder)
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.s = New(h.s.db, h.s.dialect, h.s.now)
}

// entClient is the transaction's client inside a mutation, else the root one.
func (f *Store) entClient(ctx context.Context) *ent.Client {
	if tx := ent.FromContext(ctx); tx != nil {
		return tx
	}
	return f.db
}

// Rules returns the practice's rules at the operation's clock.
func (f *Store) Rules(ctx context.Context) (caseload.Rules, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rules != nil {
		return *f.rules, nil
	}
	v := viewer.FromContext(ctx)
	if v == nil {
		return caseload.Rules{}, caseload.ErrNoViewer
	}
	p, err := f.entClient(ctx).Practice.Get(ctx, v.PracticeID)
	if err != nil {
		return caseload.Rules{}, err
	}
	r, err := caseload.NewRules(p.Policy, p.TimeZone, f.now())
	if err != nil {
		return caseload.Rules{}, err
	}
	f.rules = &r
	return r, nil
}

// History returns a client's history, loading it with every other
// registered client's in one round of queries.
func (f *Store) History(ctx context.Context, clientID int) (*caseload.History, error) {
	if err := f.loadOwnCaseload(ctx); err != nil {
		return nil, err
	}
	h, ok, err := f.histories.get(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, caseload.NotFound()
	}
	return h, nil
}

// Histories returns the histories of the clients, in order, leaving out the
// ones the viewer may not see.
func (f *Store) Histories(ctx context.Context, ids []int) ([]*caseload.History, error) {
	if err := f.loadOwnCaseload(ctx); err != nil {
		return nil, err
	}
	m, err := f.histories.getAll(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]*caseload.History, 0, len(ids))
	for _, id := range ids {
		if h, ok := m[id]; ok {
			out = append(out, h)
		}
	}
	return out, nil
}

// Prime tells the store, before anything is loaded, what the operation will
// show: the own caseload (a clinician's dashboard: caseloadHealth, To-Do,
// calendar, beside the client list), which the first history load then
// loads whole, and the days of its calendars (the zero time: tomorrow),
// whose sessions are loaded with the others the rules point at (see
// loadHistories).
//
// Without it the root fields, which the API resolves concurrently, race:
// when the client list's rules load their histories before the caseload is
// known, the rest of the caseload is loaded in a second round, and the
// statement count of the same screen changes from run to run.
func (f *Store) Prime(ownClinician int, calendarDays []time.Time) {
	f.ownCaseload = ownClinician
	f.calendarDays = calendarDays
}

// loadOwnCaseload loads the caseload Prime asked for, which
// registers its clients' histories, before any history is loaded.
func (f *Store) loadOwnCaseload(ctx context.Context) error {
	if f.ownCaseload == 0 {
		return nil
	}
	_, _, err := f.caseloads.get(ctx, f.ownCaseload)
	return err
}

// loadHistories reads the facts of the clients: the clients and their
// caregivers through ent (its privacy rules decide which clients the viewer
// reads), and the records of those clients' histories in one lean statement
// (see readHistoryRecords). Document bodies are not read here (a client's
// notes can be long); the drafts, sessions and contacts the rules point at
// are loaded as entities, one query per kind, when asked for.
func (f *Store) loadHistories(ctx context.Context, ids []int) (map[int]*caseload.History, error) {
	ctx = withoutRegistration(ctx) // the caller holds the batch's lock
	c := f.entClient(ctx)
	out := make(map[int]*caseload.History, len(ids))
	known, err := f.readClients(ctx, c, ids)
	if err != nil {
		return nil, err
	}
	for id, cp := range known {
		out[id] = &caseload.History{Client: Client(cp)}
	}
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, caseload.ErrNoViewer
	}
	// Only the clients the privacy rules let the viewer read.
	visible := make([]int, 0, len(out))
	for id := range out {
		visible = append(visible, id)
	}
	slices.Sort(visible)
	if err := readHistoryRecords(ctx, c, f.dialect, v.PracticeID, visible, out); err != nil {
		return nil, err
	}
	caregivers, err := c.Caregiver.Query().Where(caregiver.ClientIDIn(ids...)).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, cg := range caregivers {
		if h := out[cg.ClientID]; h != nil {
			h.Caregivers = append(h.Caregivers, caseload.Caregiver{ID: cg.ID, IsPrimary: cg.IsPrimary, ConsentToContact: cg.ConsentToContact})
			f.caregivers.prime(cg.ID, cg)
		}
	}
	// The records the rules will point at (the drafts, sessions and
	// contacts paperwork is due for; the booked sessions: next session,
	// reminders, attendance to record; the sessions on the operation's
	// calendar days) are loaded as entities together when first asked for,
	// one query per kind, whichever field asks first.
	if rules, err := f.Rules(ctx); err == nil {
		days := map[time.Time]bool{}
		for _, d := range f.calendarDays {
			if d.IsZero() {
				d = rules.Tomorrow()
			}
			days[d] = true
		}
		for _, h := range out {
			for _, it := range rules.PaperworkDue(h) {
				f.documents.register(it.DocumentID)
				f.appointments.register(it.AppointmentID)
				f.contacts.register(it.ContactID)
			}
			for _, a := range h.Appointments {
				if a.Booked() || (a.Status != caseload.Canceled && days[rules.DateOf(a.Start)]) {
					f.appointments.register(a.ID)
				}
			}
		}
	}
	return out, nil
}

// readClients returns the clients of ids the viewer may read, through ent
// (its privacy rules decide); clients read already (e.g. by a mutation's
// resolver) are not read again.
func (f *Store) readClients(ctx context.Context, c *ent.Client, ids []int) (map[int]*ent.ClientProfile, error) {
	known, missing := f.clients.cached(ids)
	if len(missing) > 0 {
		rows, err := c.ClientProfile.Query().Where(clientprofile.IDIn(missing...)).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, cp := range rows {
			known[cp.ID] = cp
			f.clients.prime(cp.ID, cp)
		}
	}
	return known, nil
}

type noRegistrationKey struct{}

// withoutRegistration keeps the histories' own appointment query from
// registering its clients again.
func withoutRegistration(ctx context.Context) context.Context {
	return context.WithValue(ctx, noRegistrationKey{}, true)
}

// RegisterReads is the ent interceptor that registers every client, the
// client of every appointment, and every clinician an operation reads with
// the operation's store, whose first history load then loads them all.
func RegisterReads() ent.Interceptor {
	return ent.InterceptFunc(func(next ent.Querier) ent.Querier {
		return ent.QuerierFunc(func(ctx context.Context, q ent.Query) (ent.Value, error) {
			v, err := next.Query(ctx, q)
			f := FromContext(ctx)
			if err != nil || f == nil || ctx.Value(noRegistrationKey{}) != nil {
				return v, err
			}
			switch rows := v.(type) {
			case []*ent.ClientProfile:
				ids := make([]int, len(rows))
				for i, c := range rows {
					ids[i] = c.ID
				}
				f.facts.register(ids...)
			case []*ent.Clinician:
				ids := make([]int, len(rows))
				for i, c := range rows {
					ids[i] = c.ID
				}
				f.caseloads.register(ids...)
			case []*ent.Appointment:
				ids := make([]int, len(rows))
				for i, a := range rows {
					ids[i] = a.ClientID
				}
				f.facts.register(ids...)
			}
			return v, err
		})
	})
}

package facts

import (
	"context"
	"math"
	"slices"
	"sort"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/internal/caseload"
)

// Filtering and ranking clients by derived values. The values are computed
// by the rules, not SQL, so the clients in scope are read with their
// histories (a bounded number of statements, however many clients) and the
// matching ids go back to SQL as a predicate.

// keepByRule restricts where to the clients the caller may see for which
// keep holds.
func (f *Store) keepByRule(ctx context.Context, where *ent.ClientProfileWhereInput, keep func(caseload.Rules, caseload.ClientFacts) bool) error {
	rules, err := f.Rules(ctx)
	if err != nil {
		return err
	}
	ids, err := f.entClient(ctx).ClientProfile.Query().IDs(ctx)
	if err != nil {
		return err
	}
	cs, err := f.ClientsFacts(ctx, ids)
	if err != nil {
		return err
	}
	match := make([]int, 0, len(cs))
	for _, c := range cs {
		if keep(rules, c) {
			match = append(match, c.Client.ID)
		}
	}
	where.AddPredicates(clientprofile.IDIn(match...))
	return nil
}

// WhereTerminationAction restricts where to the clients whose termination
// recommendation is one of actions.
func (f *Store) WhereTerminationAction(ctx context.Context, where *ent.ClientProfileWhereInput, actions []string) error {
	return f.keepByRule(ctx, where, func(rules caseload.Rules, c caseload.ClientFacts) bool {
		return slices.Contains(actions, rules.TerminationRecommendationOf(c.Client.Status, c.Facts).Action)
	})
}

// WhereBackfillEligible restricts where to the clients on the backfill list
// and not barred from it (eligible), or to the others; nil: no restriction.
func (f *Store) WhereBackfillEligible(ctx context.Context, where *ent.ClientProfileWhereInput, eligible *bool) error {
	if eligible == nil {
		return nil
	}
	return f.keepByRule(ctx, where, func(rules caseload.Rules, c caseload.ClientFacts) bool {
		return rules.BackfillEligibilityOf(c).Eligible == *eligible
	})
}

// Rank is a derived value clients are ranked by; the values are the API's.
type Rank string

// The ranks of the API's ClientRank.
const (
	RankStrikeCount      Rank = "STRIKE_COUNT"
	RankDaysSinceSeen    Rank = "DAYS_SINCE_SEEN"
	RankDaysSinceContact Rank = "DAYS_SINCE_CONTACT"
)

// rankKey is the value a client is ranked by; never seen or heard from
// counts as the longest.
func rankKey(by Rank, rules caseload.Rules, f caseload.Facts) int {
	days := func(d *int) int {
		if d == nil {
			return math.MaxInt32
		}
		return *d
	}
	switch by {
	case RankStrikeCount:
		return f.StrikeCount
	case RankDaysSinceSeen:
		return days(rules.ActivityOf(f).DaysSinceSeen)
	default:
		return days(rules.ActivityOf(f).DaysSinceContact)
	}
}

// Ranked returns the first clients matching where, ranked by a derived
// value, highest first when desc, ties by id.
func (f *Store) Ranked(ctx context.Context, by Rank, desc bool, first int, where *ent.ClientProfileWhereInput) ([]*ent.ClientProfile, error) {
	rules, err := f.Rules(ctx)
	if err != nil {
		return nil, err
	}
	q, err := where.Filter(f.entClient(ctx).ClientProfile.Query())
	if err != nil {
		return nil, err
	}
	ids, err := q.IDs(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := f.ClientsFacts(ctx, ids)
	if err != nil {
		return nil, err
	}
	keys := make(map[int]int, len(cs))
	for _, c := range cs {
		keys[c.Client.ID] = rankKey(by, rules, c.Facts)
	}
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := keys[cs[i].Client.ID], keys[cs[j].Client.ID]
		if a != b {
			return (a > b) == desc
		}
		return cs[i].Client.ID < cs[j].Client.ID
	})
	if len(cs) > first {
		cs = cs[:first]
	}
	ranked := make([]int, len(cs))
	for i, c := range cs {
		ranked[i] = c.Client.ID
	}
	clients, err := f.clients.getAll(ctx, ranked...)
	if err != nil {
		return nil, err
	}
	out := make([]*ent.ClientProfile, 0, len(ranked))
	for _, id := range ranked {
		if c := clients[id]; c != nil {
			out = append(out, c)
		}
	}
	return out, nil
}

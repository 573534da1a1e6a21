package main

import (
	"fmt"
	"sync"
	"testing"

	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/internal/testdb"
)

// TestConcurrentWritesAllLand sends 20 mutations at once from several users:
// on SQLite they queue for the write lock instead of failing half way, on
// PostgreSQL they run side by side; either way every one is written once.
func TestConcurrentWritesAllLand(t *testing.T) {
	testdb.Run(t, func(t *testing.T, d string) {
		s := newAPIServer(t, d)
		f := s.seedPractice("North", "north.example")
		tokens := []string{s.token(f.admin), s.token(f.clinicianUser), s.token(f.otherUser)}
		var wg sync.WaitGroup
		errs := make(chan string, 20)
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := s.do(tokens[i%len(tokens)], fmt.Sprintf(`mutation { createClient(input: {firstName: "C%02d", lastName: "Concurrent", status: WAITLIST}) { client { id } userErrors { field message code } } }`, i), nil)
				if len(r.Errors) > 0 {
					errs <- fmt.Sprintf("write %d: %+v", i, r.Errors)
				}
			}(i)
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		if n := must(s.main.DB.Ent.ClientProfile.Query().Where(clientprofile.LastName("Concurrent")).Count(sys())); n != 20 {
			t.Errorf("%d clients written, want 20", n)
		}
	})
}

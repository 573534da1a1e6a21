package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
)

// limitURL is the caseload list limit's address on a limit server.
func limitURL(base string, clinicianID int64, first int) string {
	return fmt.Sprintf("%s/limit/caseload?clinician=%d&first=%d", base, clinicianID, first)
}

// getLimit fetches a limit's answer and decodes its data into out (when
// not nil). Any status but 200 is an error.
func getLimit(ctx context.Context, client *http.Client, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("limit: HTTP %d", resp.StatusCode)
	}
	if out == nil {
		return nil
	}
	var r struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("limit: body is not JSON: %w", err)
	}
	return json.Unmarshal(r.Data, out)
}

// compareLists returns the differences between the caseload list of the
// GraphQL screen and of its limit, field by field: client ids and field
// names, and the values of the derived fields only (never a name or a
// phone number, which are client data).
func compareLists(screen, limit *listPage) []string {
	var diffs []string
	if a, b := screen.Clients.TotalCount, limit.Clients.TotalCount; a != b {
		diffs = append(diffs, fmt.Sprintf("totalCount: screen %d, limit %d", a, b))
	}
	if a, b := len(screen.Clients.Edges), len(limit.Clients.Edges); a != b {
		return append(diffs, fmt.Sprintf("clients: screen %d, limit %d", a, b))
	}
	identifying := map[string]bool{"FirstName": true, "LastName": true, "PrimaryCaregiver": true}
	for i := range screen.Clients.Edges {
		s, l := reflect.ValueOf(screen.Clients.Edges[i].Node), reflect.ValueOf(limit.Clients.Edges[i].Node)
		for f := range s.NumField() {
			a, b := s.Field(f).Interface(), l.Field(f).Interface()
			if reflect.DeepEqual(a, b) {
				continue
			}
			name := s.Type().Field(f).Name
			if identifying[name] {
				diffs = append(diffs, fmt.Sprintf("client %d (%s) %s differs", i, screen.Clients.Edges[i].Node.ID, name))
				continue
			}
			diffs = append(diffs, fmt.Sprintf("client %d (%s) %s: screen %s, limit %s", i, screen.Clients.Edges[i].Node.ID, name, show(a), show(b)))
		}
	}
	return diffs
}

// show renders a value of a derived field for a difference.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// checkCaseloadList compares the caseload list of the GraphQL screen, as
// token's clinician, with its limit's for clinicianID.
func checkCaseloadList(ctx context.Context, a *api, token, limitBase string, clinicianID int64, first int) ([]string, error) {
	var screen, limit listPage
	if _, err := a.do(ctx, token, caseloadListQuery, map[string]any{"first": first}, &screen); err != nil {
		return nil, fmt.Errorf("caseload list: %w", err)
	}
	if err := getLimit(ctx, a.client, limitURL(limitBase, clinicianID, first), &limit); err != nil {
		return nil, fmt.Errorf("caseload list limit: %w", err)
	}
	if len(screen.Clients.Edges) == 0 {
		return nil, fmt.Errorf("caseload list: no client to compare")
	}
	return compareLists(&screen, &limit), nil
}

package main

// The role matrix (issue "Access, privacy and audit", item 8): for every role
// and every root query field, mutation field, edge and identifying field of
// the schema, what is allowed and what is refused, and with which code.
//
// The tables below are the contract, one row per field, keyed "Query.field",
// "Mutation.field" and "Type.field". TestRoleMatrix first compares them with
// the schema the server is generated from: a root field, edge or identifying
// field the tables do not list fails the test, and so does a row for a field
// that no longer exists; at the end every edge must have been selected by an
// operation the test ran. A new field therefore cannot escape the matrix.
//
// The rules (SPEC.md "Access" and "Errors"):
//   - ADMIN reads and writes the whole practice; CLINICIAN their own caseload;
//     SUPERVISOR their own caseload plus, read-only, their supervisees'; ANALYST
//     reads the practice without identifying fields (FORBIDDEN) and writes
//     nothing; without a token only login, refreshToken, completePasswordReset,
//     the second factor's sign-in step and enrolment with a challenge, and
//     introspection work.
//   - A record the caller may not see (another clinician's caseload, another
//     practice's) answers exactly like an id that exists nowhere: same code,
//     same message, same data. A refused write changes nothing.
//   - Every id a response holds is a record the caller may see.
//
// Scopes name whose a record is: "own" is the clinician's caseload (the
// supervisor supervises the clinician), "sup" the supervisor's own caseload,
// "other" the other clinician's, "south" another practice's, and "missing"
// ids of the right type that exist nowhere.

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/caseload/caseload/ent"
	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/auditevent"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/contact"
	"github.com/caseload/caseload/ent/document"
	"github.com/caseload/caseload/ent/episode"
	"github.com/caseload/caseload/ent/newclientrequest"
	"github.com/caseload/caseload/ent/user"
	"github.com/caseload/caseload/graph"
	"github.com/caseload/caseload/internal/testdb"
)

type mxRole string

const (
	mxAdmin      mxRole = "ADMIN"
	mxClinician  mxRole = "CLINICIAN"
	mxSupervisor mxRole = "SUPERVISOR"
	mxAnalyst    mxRole = "ANALYST"
	mxAnonymous  mxRole = "NO_TOKEN"
)

var (
	mxRoles      = []mxRole{mxAdmin, mxClinician, mxSupervisor, mxAnalyst, mxAnonymous}
	mxStaffRoles = []mxRole{mxAdmin, mxClinician, mxSupervisor, mxAnalyst}
)

const (
	mxOwn      = "own"      // the clinician's caseload
	mxSup      = "sup"      // the supervisor's own caseload
	mxOther    = "other"    // the other clinician's caseload
	mxSouth    = "south"    // another practice
	mxMissing  = "missing"  // ids that exist nowhere
	mxWaitlist = "waitlist" // clients of the practice on no caseload
	mxPractice = "practice" // caseloads of clinicians the test created
	mxStaff    = "staff"    // the practice's directory: clinicians, users, the practice
	mxAudit    = "audit"    // the practice's audit log
)

// mxTargetScopes are the scopes every id-taking field is tried with; the
// missing id first, so that the others can be compared with its answer.
var mxTargetScopes = []string{mxMissing, mxOwn, mxSup, mxOther, mxSouth}

// mxReads are the scopes each role reads (SPEC.md "Access").
var mxReads = map[mxRole][]string{
	mxAdmin:      {mxOwn, mxSup, mxOther, mxWaitlist, mxPractice, mxStaff, mxAudit},
	mxClinician:  {mxOwn, mxStaff},
	mxSupervisor: {mxOwn, mxSup, mxStaff},
	mxAnalyst:    {mxOwn, mxSup, mxOther, mxWaitlist, mxPractice, mxStaff},
}

// mxWrites are the caseloads each role changes; the first is the one the
// cross-reference checks start from.
var mxWrites = map[mxRole][]string{
	mxAdmin:      {mxOwn, mxSup, mxOther},
	mxClinician:  {mxOwn},
	mxSupervisor: {mxSup},
}

// ---------------------------------------------------------------------------
// Root query fields.

// mxWant is what a role gets from a read.
type mxWant struct {
	code   string   // the error code; "" when allowed
	exact  []int    // when not nil, the records the answer holds, neither more nor fewer
	has    []int    // records the answer must hold
	scopes []string // the scopes of every record in the answer (default: what the role reads)
}

type mxQuery struct {
	op     string
	vars   func(x *matrix, scope string) map[string]any
	scoped bool // takes a record's id: tried with every target scope
	want   func(x *matrix, r mxRole, scope string) mxWant
	check  func(x *matrix, t *testing.T) // a check of its own instead
}

func mxConnection(field string) string {
	return `{ ` + field + `(first: 100) { totalCount pageInfo { hasNextPage } edges { node { id } } } }`
}

// mxEveryVisible: every role may ask; the answer is every record of the type
// the role may see.
func mxEveryVisible(typ string) func(*matrix, mxRole, string) mxWant {
	return func(x *matrix, r mxRole, _ string) mxWant { return mxWant{exact: x.visible(r, x.all(typ))} }
}

// mxOwnCaseload: the signed-in clinician's or supervisor's own caseload only
// (a supervisor's supervisees are not theirs); FORBIDDEN to roles without one.
func mxOwnCaseload(has func(*mxRecords) int) func(*matrix, mxRole, string) mxWant {
	return func(x *matrix, r mxRole, _ string) mxWant {
		switch r {
		case mxClinician:
			return mxWant{has: []int{has(x.fx[mxOwn])}, scopes: []string{mxOwn, mxStaff}}
		case mxSupervisor:
			return mxWant{has: []int{has(x.fx[mxSup])}, scopes: []string{mxSup, mxStaff}}
		}
		return mxWant{code: "FORBIDDEN"}
	}
}

const mxCalendarDay = "2026-03-12" // testNow + 48h in America/New_York: the fixture's booked sessions

func mxQueries() map[string]mxQuery {
	return map[string]mxQuery{
		"Query.node":  {check: (*matrix).checkNode},
		"Query.nodes": {check: (*matrix).checkNodes},

		"Query.appointments":      {op: mxConnection("appointments"), want: mxEveryVisible("Appointment")},
		"Query.clients":           {op: mxConnection("clients"), want: mxEveryVisible("Client")},
		"Query.clinicians":        {op: mxConnection("clinicians"), want: mxEveryVisible("Clinician")},
		"Query.contacts":          {op: mxConnection("contacts"), want: mxEveryVisible("Contact")},
		"Query.documents":         {op: mxConnection("documents"), want: mxEveryVisible("Document")},
		"Query.newClientRequests": {op: mxConnection("newClientRequests"), want: mxEveryVisible("NewClientRequest")},
		"Query.rankedClients":     {op: `{ rankedClients(by: STRIKE_COUNT, first: 100) { id } }`, want: mxEveryVisible("Client")},
		// The audit log is the admin's; to others the whole log is a record
		// they may not see.
		"Query.auditEvents": {op: mxConnection("auditEvents"), want: func(x *matrix, r mxRole, _ string) mxWant {
			if r == mxAdmin {
				return mxWant{}
			}
			return mxWant{code: "NOT_FOUND"}
		}},
		// Aggregates: for admins and analysts; clinicians and supervisors
		// would see their colleagues' figures.
		"Query.practiceMetrics": {
			op: `{ practiceMetrics(from: "2026-01-01", to: "2026-03-31", groupBy: [CLINICIAN]) { total { suppressed } groups { clinician { id } closedByReason { count } } } }`,
			want: func(x *matrix, r mxRole, _ string) mxWant {
				if r == mxAdmin || r == mxAnalyst {
					return mxWant{}
				}
				return mxWant{code: "FORBIDDEN"}
			},
		},
		"Query.me": {op: `{ me { id } }`, want: func(x *matrix, r mxRole, _ string) mxWant {
			return mxWant{exact: []int{x.user[r].ID}}
		}},
		"Query.practice": {op: `{ practice { id policy { strikeLimit } } }`, want: func(x *matrix, r mxRole, _ string) mxWant {
			return mxWant{exact: []int{x.f.practice.ID}}
		}},
		"Query.backfillCandidates": {
			op:     `query($id: ID!) { backfillCandidates(appointmentID: $id, first: 5) { client { id } } }`,
			scoped: true,
			vars: func(x *matrix, scope string) map[string]any {
				return map[string]any{"id": x.fixtureID(scope, "Appointment", func(r *mxRecords) int { return r.future.ID })}
			},
			want: func(x *matrix, r mxRole, scope string) mxWant {
				if !slices.Contains(mxReads[r], scope) {
					return mxWant{code: "NOT_FOUND"}
				}
				return mxWant{has: []int{x.fx[scope].second.ID}, scopes: []string{scope}}
			},
		},
		"Query.myTodo": {
			op:   `{ myTodo { client { id } appointment { id } document { id } contact { id } } }`,
			want: mxOwnCaseload(func(r *mxRecords) int { return r.client.ID }),
		},
		"Query.myCalendar": {
			op:   `query($d: Date) { myCalendar(date: $d) { appointment { id } noShowRisk { score } caregiver { id } backfillCandidates { client { id } } } }`,
			vars: func(*matrix, string) map[string]any { return map[string]any{"d": mxCalendarDay} },
			want: mxOwnCaseload(func(r *mxRecords) int { return r.future.ID }),
		},
	}
}

// ---------------------------------------------------------------------------
// Edges: object fields that return another object type or a connection.

type mxEdge struct {
	// sel is selected on a record of the type, reached with node(id), for a
	// record of each caseload; FIRST is the page size.
	sel        string
	paged      bool   // a connection: first 5 for the roles, all for the oracle
	caseload   bool   // null exactly when the caller may not read the clinician's caseload
	mayBeEmpty bool   // holds no record ids (a value object)
	via        string // or: the operations of this test that select it
}

func mxOne(field string) mxEdge { return mxEdge{sel: field + " { id }"} }
func mxPage(field string) mxEdge {
	return mxEdge{sel: field + "(first: FIRST) { totalCount edges { node { id } } }", paged: true}
}
func mxValue(sel string) mxEdge { return mxEdge{sel: sel, mayBeEmpty: true} }
func mxVia(rows string) mxEdge  { return mxEdge{via: rows} }

func mxEdges() map[string]mxEdge {
	return map[string]mxEdge{
		"Appointment.client":     mxOne("client"),
		"Appointment.clinician":  mxOne("clinician"),
		"Appointment.episode":    mxOne("episode"),
		"Appointment.filledFrom": mxOne("filledFrom"),
		"Appointment.filledBy":   mxOne("filledBy"),
		"Appointment.documents":  mxOne("documents"),

		"Caregiver.client": mxOne("client"),

		"Client.clinician":                 mxOne("clinician"),
		"Client.caregivers":                mxOne("caregivers"),
		"Client.episodes":                  mxOne("episodes"),
		"Client.appointments":              mxPage("appointments"),
		"Client.documents":                 mxPage("documents"),
		"Client.contacts":                  mxPage("contacts"),
		"Client.nextAppointment":           mxOne("nextAppointment"),
		"Client.primaryCaregiver":          mxOne("primaryCaregiver"),
		"Client.paperworkDue":              {sel: "paperworkDue { document { id } appointment { id } contact { id } }"},
		"Client.backfillEligibility":       mxValue("backfillEligibility { eligible reasons }"),
		"Client.recurringEligibility":      mxValue("recurringEligibility { eligible needed }"),
		"Client.terminationRecommendation": mxValue("terminationRecommendation { action }"),
		"Client.availability":              mxValue("availability { weekday }"),

		"Clinician.supervisor":        mxOne("supervisor"),
		"Clinician.supervisees":       mxOne("supervisees"),
		"Clinician.user":              mxOne("user"),
		"Clinician.clients":           mxPage("clients"),
		"Clinician.appointments":      mxPage("appointments"),
		"Clinician.newClientRequests": mxPage("newClientRequests"),
		"Clinician.caseloadHealth":    {sel: "caseloadHealth { activeClients }", caseload: true, mayBeEmpty: true},
		"Clinician.todo":              {sel: "todo { client { id } appointment { id } document { id } contact { id } }", caseload: true},
		"Clinician.calendar": {sel: `calendar(date: "` + mxCalendarDay + `") { appointment { id } noShowRisk { score } caregiver { id } backfillCandidates { client { id } } }`,
			caseload: true},

		"Contact.client":    mxOne("client"),
		"Contact.clinician": mxOne("clinician"),
		"Contact.documents": mxOne("documents"),

		"Document.client":      mxOne("client"),
		"Document.author":      mxOne("author"),
		"Document.appointment": mxOne("appointment"),
		"Document.contact":     mxOne("contact"),
		"Document.amends":      mxOne("amends"),
		"Document.addenda":     mxOne("addenda"),

		"Episode.client":       mxOne("client"),
		"Episode.clinician":    mxOne("clinician"),
		"Episode.appointments": mxPage("appointments"),

		"NewClientRequest.clinician": mxOne("clinician"),
		"User.clinician":             mxOne("clinician"),

		// Reached through the rows named: their answers are checked there.
		"AppointmentConnection.edges":               mxVia("Query.appointments"),
		"AppointmentConnection.pageInfo":            mxVia("Query.appointments"),
		"AppointmentEdge.node":                      mxVia("Query.appointments, Client.appointments"),
		"PracticeMetrics.groups":                    mxVia("Query.practiceMetrics"),
		"PracticeMetrics.total":                     mxVia("Query.practiceMetrics"),
		"MetricsGroup.clinician":                    mxVia("Query.practiceMetrics"),
		"MetricsGroup.closedByReason":               mxVia("Query.practiceMetrics"),
		"AuditEventConnection.edges":                mxVia("Query.auditEvents"),
		"AuditEventConnection.pageInfo":             mxVia("Query.auditEvents"),
		"AuditEventEdge.node":                       mxVia("Query.auditEvents"),
		"ClientConnection.edges":                    mxVia("Query.clients"),
		"ClientConnection.pageInfo":                 mxVia("Query.clients"),
		"ClientEdge.node":                           mxVia("Query.clients, Clinician.clients"),
		"ClinicianConnection.edges":                 mxVia("Query.clinicians"),
		"ClinicianConnection.pageInfo":              mxVia("Query.clinicians"),
		"ClinicianEdge.node":                        mxVia("Query.clinicians"),
		"ContactConnection.edges":                   mxVia("Query.contacts"),
		"ContactConnection.pageInfo":                mxVia("Query.contacts"),
		"ContactEdge.node":                          mxVia("Query.contacts, Client.contacts"),
		"DocumentConnection.edges":                  mxVia("Query.documents"),
		"DocumentConnection.pageInfo":               mxVia("Query.documents"),
		"DocumentEdge.node":                         mxVia("Query.documents, Client.documents"),
		"NewClientRequestConnection.edges":          mxVia("Query.newClientRequests"),
		"NewClientRequestConnection.pageInfo":       mxVia("Query.newClientRequests"),
		"NewClientRequestEdge.node":                 mxVia("Query.newClientRequests, Clinician.newClientRequests"),
		"Practice.policy":                           mxVia("Query.practice"),
		"BackfillCandidate.client":                  mxVia("Query.backfillCandidates, Query.myCalendar"),
		"CalendarEntry.appointment":                 mxVia("Query.myCalendar, Clinician.calendar"),
		"CalendarEntry.noShowRisk":                  mxVia("Query.myCalendar, Clinician.calendar"),
		"CalendarEntry.caregiver":                   mxVia("Query.myCalendar, Clinician.calendar"),
		"CalendarEntry.backfillCandidates":          mxVia("Query.myCalendar, Clinician.calendar"),
		"TodoItem.client":                           mxVia("Query.myTodo, Clinician.todo"),
		"TodoItem.appointment":                      mxVia("Query.myTodo, Clinician.todo"),
		"TodoItem.document":                         mxVia("Query.myTodo, Clinician.todo"),
		"TodoItem.contact":                          mxVia("Query.myTodo, Clinician.todo"),
		"PaperworkItem.document":                    mxVia("Client.paperworkDue"),
		"PaperworkItem.appointment":                 mxVia("Client.paperworkDue"),
		"PaperworkItem.contact":                     mxVia("Client.paperworkDue"),
		"AssignClientPayload.client":                mxVia("Mutation.assignClient"),
		"AssignClientPayload.episode":               mxVia("Mutation.assignClient"),
		"AssignClientPayload.intake":                mxVia("Mutation.assignClient"),
		"AssignClientPayload.request":               mxVia("Mutation.assignClient"),
		"AssignClientPayload.userErrors":            mxVia("Mutation.assignClient"),
		"SendClosureWarningPayload.contact":         mxVia("Mutation.sendClosureWarning"),
		"SendClosureWarningPayload.client":          mxVia("Mutation.sendClosureWarning"),
		"SendClosureWarningPayload.userErrors":      mxVia("Mutation.sendClosureWarning"),
		"CloseCasePayload.client":                   mxVia("Mutation.closeCase"),
		"CloseCasePayload.userErrors":               mxVia("Mutation.closeCase"),
		"ReopenCasePayload.client":                  mxVia("Mutation.reopenCase"),
		"ReopenCasePayload.userErrors":              mxVia("Mutation.reopenCase"),
		"CloseCasesPayload.clients":                 mxVia("Mutation.closeCases"),
		"CloseCasesPayload.userErrors":              mxVia("Mutation.closeCases"),
		"CreateRecurringSeriesPayload.client":       mxVia("Mutation.createRecurringSeries"),
		"CreateRecurringSeriesPayload.appointments": mxVia("Mutation.createRecurringSeries"),
		"CreateRecurringSeriesPayload.userErrors":   mxVia("Mutation.createRecurringSeries"),
		"RequestNewClientsPayload.request":          mxVia("Mutation.requestNewClients"),
		"RequestNewClientsPayload.userErrors":       mxVia("Mutation.requestNewClients"),
		"CancelNewClientRequestPayload.request":     mxVia("Mutation.cancelNewClientRequest"),
		"CancelNewClientRequestPayload.userErrors":  mxVia("Mutation.cancelNewClientRequest"),
		"CreateClientPayload.client":                mxVia("Mutation.createClient"),
		"CreateClientPayload.userErrors":            mxVia("Mutation.createClient"),
		"ScheduleAppointmentPayload.appointment":    mxVia("Mutation.scheduleAppointment"),
		"ScheduleAppointmentPayload.userErrors":     mxVia("Mutation.scheduleAppointment"),
		"RevokeRecurringPayload.client":             mxVia("Mutation.revokeRecurring"),
		"RevokeRecurringPayload.canceled":           mxVia("Mutation.revokeRecurring"),
		"RevokeRecurringPayload.userErrors":         mxVia("Mutation.revokeRecurring"),

		// The payloads of scheduling and the backfill list (issue 15).
		"RescheduleAppointmentPayload.appointment": mxVia("Mutation.rescheduleAppointment"),
		"RescheduleAppointmentPayload.userErrors":  mxVia("Mutation.rescheduleAppointment"),
		"CancelAppointmentPayload.appointment":     mxVia("Mutation.cancelAppointment"),
		"CancelAppointmentPayload.userErrors":      mxVia("Mutation.cancelAppointment"),
		"RecordAttendancePayload.appointment":      mxVia("Mutation.recordAttendance"),
		"RecordAttendancePayload.userErrors":       mxVia("Mutation.recordAttendance"),
		"ExcuseStrikePayload.appointment":          mxVia("Mutation.excuseStrike"),
		"ExcuseStrikePayload.userErrors":           mxVia("Mutation.excuseStrike"),
		"RecordReminderPayload.appointment":        mxVia("Mutation.recordReminder"),
		"RecordReminderPayload.contact":            mxVia("Mutation.recordReminder"),
		"RecordReminderPayload.recipient":          mxVia("Mutation.recordReminder"),
		"RecordReminderPayload.userErrors":         mxVia("Mutation.recordReminder"),
		"ConfirmAppointmentPayload.appointment":    mxVia("Mutation.confirmAppointment"),
		"ConfirmAppointmentPayload.userErrors":     mxVia("Mutation.confirmAppointment"),
		"SetBackfillPreferencePayload.client":      mxVia("Mutation.setBackfillPreference"),
		"SetBackfillPreferencePayload.userErrors":  mxVia("Mutation.setBackfillPreference"),
		"FillSlotPayload.appointment":              mxVia("Mutation.fillSlot"),
		"FillSlotPayload.canceledAppointment":      mxVia("Mutation.fillSlot"),
		"FillSlotPayload.laterAppointment":         mxVia("Mutation.fillSlot"),
		"FillSlotPayload.userErrors":               mxVia("Mutation.fillSlot"),

		// The payloads of the record's changes and the documents (issue 15).
		"CreateClinicianPayload.clinician":      mxVia("Mutation.createClinician"),
		"CreateClinicianPayload.userErrors":     mxVia("Mutation.createClinician"),
		"UpdateClinicianPayload.clinician":      mxVia("Mutation.updateClinician"),
		"UpdateClinicianPayload.userErrors":     mxVia("Mutation.updateClinician"),
		"UpdateClientPayload.client":            mxVia("Mutation.updateClient"),
		"UpdateClientPayload.userErrors":        mxVia("Mutation.updateClient"),
		"CreateCaregiverPayload.caregiver":      mxVia("Mutation.createCaregiver"),
		"CreateCaregiverPayload.userErrors":     mxVia("Mutation.createCaregiver"),
		"UpdateCaregiverPayload.caregiver":      mxVia("Mutation.updateCaregiver"),
		"UpdateCaregiverPayload.userErrors":     mxVia("Mutation.updateCaregiver"),
		"CreateAppointmentPayload.appointment":  mxVia("Mutation.createAppointment"),
		"CreateAppointmentPayload.userErrors":   mxVia("Mutation.createAppointment"),
		"UpdateAppointmentPayload.appointment":  mxVia("Mutation.updateAppointment"),
		"UpdateAppointmentPayload.userErrors":   mxVia("Mutation.updateAppointment"),
		"CreateContactPayload.contact":          mxVia("Mutation.createContact"),
		"CreateContactPayload.userErrors":       mxVia("Mutation.createContact"),
		"UpdateContactPayload.contact":          mxVia("Mutation.updateContact"),
		"UpdateContactPayload.userErrors":       mxVia("Mutation.updateContact"),
		"CreateDocumentPayload.document":        mxVia("Mutation.createDocument"),
		"CreateDocumentPayload.userErrors":      mxVia("Mutation.createDocument"),
		"UpdateDocumentPayload.document":        mxVia("Mutation.updateDocument"),
		"UpdateDocumentPayload.userErrors":      mxVia("Mutation.updateDocument"),
		"SignDocumentPayload.document":          mxVia("Mutation.signDocument"),
		"SignDocumentPayload.userErrors":        mxVia("Mutation.signDocument"),
		"AddDocumentAddendumPayload.document":   mxVia("Mutation.addDocumentAddendum"),
		"AddDocumentAddendumPayload.userErrors": mxVia("Mutation.addDocumentAddendum"),

		// The payloads of signing in, the logins and the policy (issue 15).
		"LoginPayload.user":                       mxVia("Mutation.login"),
		"LoginPayload.userErrors":                 mxVia("Mutation.login"),
		"RefreshTokenPayload.user":                mxVia("Mutation.refreshToken"),
		"RefreshTokenPayload.userErrors":          mxVia("Mutation.refreshToken"),
		"LogoutPayload.userErrors":                mxVia("Mutation.logout"),
		"CreateUserPayload.user":                  mxVia("Mutation.createUser"),
		"CreateUserPayload.userErrors":            mxVia("Mutation.createUser"),
		"SetUserActivePayload.user":               mxVia("Mutation.setUserActive"),
		"SetUserActivePayload.userErrors":         mxVia("Mutation.setUserActive"),
		"UnlockUserPayload.user":                  mxVia("Mutation.unlockUser"),
		"UnlockUserPayload.userErrors":            mxVia("Mutation.unlockUser"),
		"ChangePasswordPayload.user":              mxVia("Mutation.changePassword"),
		"ChangePasswordPayload.userErrors":        mxVia("Mutation.changePassword"),
		"ResetPasswordPayload.user":               mxVia("Mutation.resetPassword"),
		"ResetPasswordPayload.userErrors":         mxVia("Mutation.resetPassword"),
		"CompletePasswordResetPayload.user":       mxVia("Mutation.completePasswordReset"),
		"CompletePasswordResetPayload.userErrors": mxVia("Mutation.completePasswordReset"),
		"UpdatePolicyPayload.practice":            mxVia("Mutation.updatePolicy"),
		"UpdatePolicyPayload.userErrors":          mxVia("Mutation.updatePolicy"),

		// The second factor (issue 16).
		"LoginPayload.secondFactor":                      mxVia("Mutation.login"),
		"VerifySecondFactorPayload.user":                 mxVia("Mutation.verifySecondFactor"),
		"VerifySecondFactorPayload.userErrors":           mxVia("Mutation.verifySecondFactor"),
		"StartSecondFactorEnrolmentPayload.userErrors":   mxVia("Mutation.startSecondFactorEnrolment"),
		"ConfirmSecondFactorEnrolmentPayload.user":       mxVia("Mutation.confirmSecondFactorEnrolment"),
		"ConfirmSecondFactorEnrolmentPayload.userErrors": mxVia("Mutation.confirmSecondFactorEnrolment"),
		"DisableSecondFactorPayload.user":                mxVia("Mutation.disableSecondFactor"),
		"DisableSecondFactorPayload.userErrors":          mxVia("Mutation.disableSecondFactor"),
		"ResetSecondFactorPayload.user":                  mxVia("Mutation.resetSecondFactor"),
		"ResetSecondFactorPayload.userErrors":            mxVia("Mutation.resetSecondFactor"),
		"RegenerateRecoveryCodesPayload.user":            mxVia("Mutation.regenerateRecoveryCodes"),
		"RegenerateRecoveryCodesPayload.userErrors":      mxVia("Mutation.regenerateRecoveryCodes"),
		"SetTwoFactorRequirementPayload.practice":        mxVia("Mutation.setTwoFactorRequirement"),
		"SetTwoFactorRequirementPayload.userErrors":      mxVia("Mutation.setTwoFactorRequirement"),
	}
}

// ---------------------------------------------------------------------------
// Identifying fields: every field the schema describes as identifying. An
// analyst gets FORBIDDEN and null, everyone else who may read the record the
// value. An empty via reads it with node(id) on a record of the clinician's
// caseload, which every role reads.

func mxPHI() map[string]string {
	return map[string]string{
		"Client.firstName":        "",
		"Client.lastName":         "",
		"Client.dateOfBirth":      "",
		"Client.email":            "",
		"Client.phone":            "",
		"Caregiver.name":          "",
		"Caregiver.phone":         "",
		"Caregiver.email":         "",
		"Document.body":           "",
		"Contact.note":            "",
		"ReminderRecipient.name":  "Mutation.recordReminder (analysts may not call it)",
		"ReminderRecipient.phone": "Mutation.recordReminder (analysts may not call it)",
		"ReminderRecipient.email": "Mutation.recordReminder (analysts may not call it)",
	}
}

// ---------------------------------------------------------------------------
// Staff contact fields (finding 14): a login's email and last sign-in.
// ADMIN reads them of every login of the practice; every role reads its
// own; of another login, CLINICIAN, SUPERVISOR and ANALYST get FORBIDDEN
// and null while the name and role still resolve, and may not filter or
// order by them.

func mxStaffContact() []string { return []string{"User.email", "User.lastLoginAt"} }

// ---------------------------------------------------------------------------
// Mutation fields.

type mxMutation struct {
	op   string
	vars func(p *mxTarget) map[string]any
	// scoped: takes records' ids, taken from a target of each scope.
	scoped bool
	// Who may call it: public needs no token, anyUser is any signed-in user,
	// admin is ADMIN only; otherwise each role writes its own caseloads
	// (mxWrites) and is refused elsewhere.
	public, anyUser, admin bool
	// others is the code of a refused role other than ADMIN (default
	// FORBIDDEN on a record the role reads, NOT_FOUND on one it does not);
	// an ADMIN refused on another practice's record gets NOT_FOUND.
	others string
	// except overrides the rule for "ROLE scope" (or "ROLE" for an unscoped
	// row): the expected code, "" for allowed.
	except map[string]string
	// cross, when set, also points the further ids of a call on the caller's
	// own caseload (target p) at records the caller may not see (target q),
	// another practice's included: the answer must be the one of an id that
	// exists nowhere (NOT_FOUND, or BAD_USER_INPUT naming the field), and
	// nothing is written.
	cross   func(p, q *mxTarget) map[string]any
	crossOp string // the operation of cross (default op)
	// freshToken: the call ends the session of its token.
	freshToken bool
	// staffReads: the record is one every member of staff reads (a
	// clinician's profile), whatever caseloads the role reads.
	staffReads bool
}

// reads says whether role r reads the record of scope the call names.
func (m mxMutation) reads(r mxRole, scope string) bool {
	return slices.Contains(mxReads[r], scope) || m.staffReads && r != mxAnonymous && slices.Contains([]string{mxOwn, mxSup, mxOther}, scope)
}

func (m mxMutation) expect(r mxRole, scope string) string {
	key := string(r)
	if scope != "" {
		key += " " + scope
	}
	if c, ok := m.except[key]; ok {
		return c
	}
	switch {
	case m.public:
		return ""
	case r == mxAnonymous:
		return "UNAUTHENTICATED"
	case m.anyUser:
		return ""
	}
	others := cmp.Or(m.others, "NOT_FOUND")
	switch {
	case r != mxAdmin && m.admin:
		return others
	case scope == "" && r == mxAdmin:
		return ""
	case scope == "":
		return others
	case slices.Contains(mxWrites[r], scope):
		return ""
	case r == mxAdmin:
		return "NOT_FOUND"
	case m.others == "" && m.reads(r, scope):
		// A record the role reads but may not change (issue 17.5).
		return "FORBIDDEN"
	}
	return others
}

func mxExcept(code string, keys ...string) map[string]string {
	m := map[string]string{}
	for _, k := range keys {
		m[k] = code
	}
	return m
}

func mxVars(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// Mutations returning a record select its id only: an edge the caller may
// not see would fail the response and roll back a write the rules let through.
func mxMutations() map[string]mxMutation {
	return map[string]mxMutation{
		"Mutation.login": {public: true,
			op: `mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { token user { id } secondFactor { challenge } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any {
				// changePassword's row may have changed it.
				must(p.x.db.User.UpdateOneID(p.x.f.clinicianUser.ID).SetPasswordHash(passwordHash(p.x.t)).Save(sys()))
				return mxVars("e", p.x.f.clinicianUser.Email, "p", testPassword)
			}},
		"Mutation.refreshToken": {public: true,
			op:   `mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { token user { id } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("t", p.x.refreshToken()) }},
		"Mutation.logout": {anyUser: true, freshToken: true, op: `mutation { logout(input: {}) { endedSessions userErrors { field message code } } }`},

		"Mutation.createClinician": {admin: true,
			op:      `mutation { createClinician(input: {name: "Nu Clinician"}) { clinician { id } userErrors { field message code } } }`,
			crossOp: `mutation($q: ID!) { createClinician(input: {name: "Nu Supervisee", supervisorID: $q}) { clinician { id } userErrors { field message code } } }`,
			cross:   func(p, q *mxTarget) map[string]any { return mxVars("q", q.clinician()) }},
		// A clinician changes their own profile ("own" is the clinician's
		// own, "sup" the supervisor's own); nobody else's but an admin: a
		// colleague's, which staff read, is FORBIDDEN.
		"Mutation.updateClinician": {scoped: true, staffReads: true,
			op:      `mutation($id: ID!) { updateClinician(input: {clinicianID: $id, weeklySlots: 30}) { clinician { id } userErrors { field message code } } }`,
			vars:    func(p *mxTarget) map[string]any { return mxVars("id", p.clinician()) },
			crossOp: `mutation($id: ID!, $q: ID!) { updateClinician(input: {clinicianID: $id, supervisorID: $q}) { clinician { id } userErrors { field message code } } }`,
			// The caller's own profile (or, for an admin, one of theirs to
			// change): another's is FORBIDDEN whatever the further id is.
			cross: func(p, q *mxTarget) map[string]any { return mxVars("id", p.clinician(), "q", q.clinician()) }},
		"Mutation.createUser": {admin: true,
			op:      `mutation($e: String!) { createUser(input: {email: $e, password: "correct horse battery", role: ANALYST}) { user { id } userErrors { field message code } } }`,
			vars:    func(p *mxTarget) map[string]any { return mxVars("e", p.x.email()) },
			crossOp: `mutation($e: String!, $q: ID!) { createUser(input: {email: $e, password: "correct horse battery", role: CLINICIAN, clinicianID: $q}) { user { id } userErrors { field message code } } }`,
			cross:   func(p, q *mxTarget) map[string]any { return mxVars("e", p.x.email(), "q", q.clinician()) }},
		"Mutation.setUserActive": {scoped: true, admin: true,
			op:   `mutation($id: ID!) { setUserActive(input: {userID: $id, active: false}) { user { id active } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.user()) }},
		"Mutation.unlockUser": {scoped: true, admin: true,
			op:   `mutation($id: ID!) { unlockUser(input: {userID: $id}) { user { id } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.user()) }},
		// Any signed-in user changes their own password (their session stays).
		"Mutation.changePassword": {anyUser: true,
			op: `mutation { changePassword(input: {currentPassword: "` + testPassword + `", newPassword: "a brand new passphrase"}) { user { id } userErrors { field message code } } }`},
		"Mutation.resetPassword": {scoped: true, admin: true,
			op:   `mutation($id: ID!) { resetPassword(input: {userID: $id}) { user { id } resetCode userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.user()) }},
		// The reset code is the credential: anyone holding it sets the password.
		"Mutation.completePasswordReset": {public: true,
			op: `mutation($e: String!, $c: String!) { completePasswordReset(input: {email: $e, resetCode: $c, newPassword: "a brand new passphrase"}) { user { id } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any {
				const code = "matrix-reset-code"
				sum := sha256.Sum256([]byte(code))
				u := must(p.x.db.User.UpdateOneID(p.x.f.otherUser.ID).SetPasswordResetHash(hex.EncodeToString(sum[:])).SetPasswordResetExpiresAt(p.x.s.clock.Now().Add(time.Hour)).Save(sys()))
				return mxVars("e", u.Email, "c", code)
			}},
		// The challenge is the credential of a sign-in's second step and of
		// enrolment at sign-in: whoever holds it (a fresh login's, here).
		"Mutation.verifySecondFactor": {public: true,
			op: `mutation($ch: String!, $c: String!) { verifySecondFactor(input: {challenge: $ch, code: $c}) { token user { id } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any {
				challenge, code := p.x.secondFactorLogin(true)
				return mxVars("ch", challenge, "c", code)
			}},
		"Mutation.startSecondFactorEnrolment": {public: true,
			op: `mutation($ch: String!) { startSecondFactorEnrolment(input: {challenge: $ch}) { secret userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any {
				challenge, _ := p.x.secondFactorLogin(false)
				return mxVars("ch", challenge)
			}},
		"Mutation.confirmSecondFactorEnrolment": {public: true,
			op: `mutation($ch: String!, $c: String!) { confirmSecondFactorEnrolment(input: {challenge: $ch, code: $c}) { token user { id } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any {
				challenge, code := p.x.secondFactorLogin(false)
				return mxVars("ch", challenge, "c", code)
			}},
		// Any signed-in user turns their own factor off or renews their
		// recovery codes; the fixture's logins have none (CONFLICT), which
		// shows every role reaches the workflow and nobody else's factor.
		"Mutation.disableSecondFactor": {anyUser: true, except: mxExcept("CONFLICT", "ADMIN", "CLINICIAN", "SUPERVISOR", "ANALYST"),
			op: `mutation { disableSecondFactor(input: {password: "` + testPassword + `", code: "000000"}) { user { id } userErrors { field message code } } }`},
		"Mutation.regenerateRecoveryCodes": {anyUser: true, except: mxExcept("CONFLICT", "ADMIN", "CLINICIAN", "SUPERVISOR", "ANALYST"),
			op: `mutation { regenerateRecoveryCodes(input: {code: "000000"}) { user { id } userErrors { field message code } } }`},
		"Mutation.resetSecondFactor": {scoped: true, admin: true,
			op:   `mutation($id: ID!) { resetSecondFactor(input: {userID: $id}) { user { id } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.user()) }},
		"Mutation.setTwoFactorRequirement": {admin: true, others: "FORBIDDEN",
			op: `mutation { setTwoFactorRequirement(input: {roles: []}) { practice { id twoFactorRequiredRoles } userErrors { field message code } } }`},
		"Mutation.updatePolicy": {admin: true, others: "FORBIDDEN",
			op: `mutation { updatePolicy(input: {noShowBuffer: 2}) { practice { id policy { noShowBuffer } } userErrors { field message code } } }`},

		"Mutation.createClient": {scoped: true,
			op:   `mutation($c: ID!) { createClient(input: {firstName: "Neu", lastName: "Matrix", status: ACTIVE, clinicianID: $c}) { client { id } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("c", p.clinician()) }},
		"Mutation.updateClient": {scoped: true,
			op:      `mutation($id: ID!) { updateClient(input: {clientID: $id, phone: "+1 555 0101"}) { client { id } userErrors { field message code } } }`,
			vars:    func(p *mxTarget) map[string]any { return mxVars("id", p.client()) },
			crossOp: `mutation($id: ID!, $q: ID!) { updateClient(input: {clientID: $id, clinicianID: $q}) { client { id } userErrors { field message code } } }`,
			cross:   func(p, q *mxTarget) map[string]any { return mxVars("id", p.client(), "q", q.clinician()) }},
		"Mutation.createCaregiver": {scoped: true,
			op:   `mutation($c: ID!) { createCaregiver(input: {clientID: $c, name: "Pat Parent", relationship: "parent"}) { caregiver { id } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("c", p.client()) }},
		"Mutation.updateCaregiver": {scoped: true,
			op:   `mutation($id: ID!) { updateCaregiver(input: {caregiverID: $id, relationship: "guardian"}) { caregiver { id } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.caregiver()) }},
		"Mutation.createContact": {scoped: true,
			op:      `mutation($c: ID!) { createContact(input: {clientID: $c, channel: PHONE, direction: INBOUND, purpose: CHECK_IN}) { contact { id } userErrors { field message code } } }`,
			vars:    func(p *mxTarget) map[string]any { return mxVars("c", p.client()) },
			crossOp: `mutation($c: ID!, $q: ID!) { createContact(input: {clientID: $c, channel: PHONE, direction: INBOUND, purpose: CHECK_IN, clinicianID: $q}) { contact { id } userErrors { field message code } } }`,
			cross:   func(p, q *mxTarget) map[string]any { return mxVars("c", p.client(), "q", q.clinician()) }},
		"Mutation.updateContact": {scoped: true,
			op:      `mutation($id: ID!) { updateContact(input: {contactID: $id, billableMinutes: 5}) { contact { id } userErrors { field message code } } }`,
			vars:    func(p *mxTarget) map[string]any { return mxVars("id", p.contact()) },
			crossOp: `mutation($id: ID!, $q: ID!) { updateContact(input: {contactID: $id, clinicianID: $q}) { contact { id } userErrors { field message code } } }`,
			cross:   func(p, q *mxTarget) map[string]any { return mxVars("id", p.contact(), "q", q.clinician()) }},

		"Mutation.createDocument": {scoped: true,
			op:      `mutation($c: ID!) { createDocument(input: {kind: PROGRESS_NOTE, clientID: $c, body: "a note"}) { document { id } userErrors { field message code } } }`,
			vars:    func(p *mxTarget) map[string]any { return mxVars("c", p.client()) },
			crossOp: `mutation($c: ID!, $a: ID!) { createDocument(input: {kind: PROGRESS_NOTE, clientID: $c, appointmentID: $a}) { document { id } userErrors { field message code } } }`,
			cross:   func(p, q *mxTarget) map[string]any { return mxVars("c", p.client(), "a", q.pastAppt()) }},
		// A supervisor reads a supervisee's draft but may not change it:
		// FORBIDDEN, as for every write to a supervisee's record (CONFLICT
		// would claim a stale version, which it is not).
		"Mutation.updateDocument": {scoped: true,
			op:   `mutation($id: ID!) { updateDocument(input: {documentID: $id, version: 1, body: "changed"}) { document { id version } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.draft()) }},
		// Only a document's author signs it: whoever else may read the draft
		// (the admin, the author's supervisor) is told so.
		"Mutation.signDocument": {scoped: true,
			op:     `mutation($id: ID!) { signDocument(input: {documentID: $id, version: 1}) { document { id status } userErrors { field message code } } }`,
			vars:   func(p *mxTarget) map[string]any { return mxVars("id", p.draft()) },
			except: mxExcept("POLICY_VIOLATION", "ADMIN own", "ADMIN sup", "ADMIN other")},
		"Mutation.addDocumentAddendum": {scoped: true,
			op:   `mutation($id: ID!) { addDocumentAddendum(input: {documentID: $id, body: "a correction"}) { document { id } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.signed()) }},

		// Corrections of the record step around the policy: an admin's.
		"Mutation.createAppointment": {scoped: true, admin: true, others: "FORBIDDEN",
			op: `mutation($c: ID!, $k: ID!, $s: DateTime!, $e: DateTime!) { createAppointment(input: {clientID: $c, clinicianID: $k, startsAt: $s, endsAt: $e}) { appointment { id } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any {
				return p.x.slot(mxVars("c", p.client(), "k", p.clinician()))
			},
			cross: func(p, q *mxTarget) map[string]any { return p.x.slot(mxVars("c", p.client(), "k", q.clinician())) }},
		"Mutation.updateAppointment": {scoped: true, admin: true, others: "FORBIDDEN",
			op:      `mutation($id: ID!) { updateAppointment(input: {appointmentID: $id, kind: FAMILY}) { appointment { id } userErrors { field message code } } }`,
			vars:    func(p *mxTarget) map[string]any { return mxVars("id", p.futureAppt()) },
			crossOp: `mutation($id: ID!, $q: ID!) { updateAppointment(input: {appointmentID: $id, clinicianID: $q}) { appointment { id } userErrors { field message code } } }`,
			cross:   func(p, q *mxTarget) map[string]any { return mxVars("id", p.futureAppt(), "q", q.clinician()) }},

		"Mutation.scheduleAppointment": {scoped: true,
			op:      `mutation($c: ID!, $s: DateTime!, $e: DateTime!) { scheduleAppointment(input: {clientID: $c, startsAt: $s, endsAt: $e}) { appointment { id } userErrors { field message code } } }`,
			vars:    func(p *mxTarget) map[string]any { return p.x.slot(mxVars("c", p.client())) },
			crossOp: `mutation($c: ID!, $q: ID!, $s: DateTime!, $e: DateTime!) { scheduleAppointment(input: {clientID: $c, clinicianID: $q, startsAt: $s, endsAt: $e}) { appointment { id } userErrors { field message code } } }`,
			cross:   func(p, q *mxTarget) map[string]any { return p.x.slot(mxVars("c", p.client(), "q", q.clinician())) }},
		"Mutation.rescheduleAppointment": {scoped: true,
			op:   `mutation($id: ID!, $s: DateTime!, $e: DateTime!) { rescheduleAppointment(input: {appointmentID: $id, startsAt: $s, endsAt: $e}) { appointment { id } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return p.x.slot(mxVars("id", p.futureAppt())) }},
		"Mutation.cancelAppointment": {scoped: true,
			op:   `mutation($id: ID!) { cancelAppointment(input: {appointmentID: $id, by: CLIENT, reason: "unwell"}) { appointment { id status } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.futureAppt()) }},
		"Mutation.recordAttendance": {scoped: true,
			op:   `mutation($id: ID!) { recordAttendance(input: {appointmentID: $id, outcome: ATTENDED, minutesLate: 0}) { appointment { id status } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.pastAppt()) }},
		"Mutation.excuseStrike": {scoped: true,
			op:   `mutation($id: ID!) { excuseStrike(input: {appointmentID: $id, reason: "snowstorm"}) { appointment { id excused } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.noShow()) }},
		"Mutation.recordReminder": {scoped: true,
			op:   `mutation($id: ID!) { recordReminder(input: {appointmentID: $id, channel: EMAIL}) { appointment { id } contact { id } recipient { role channel name phone email } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.futureAppt()) }},
		"Mutation.confirmAppointment": {scoped: true,
			op:   `mutation($id: ID!) { confirmAppointment(input: {appointmentID: $id}) { appointment { id status } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.futureAppt()) }},

		"Mutation.sendClosureWarning": {scoped: true,
			op:   `mutation($id: ID!) { sendClosureWarning(input: {clientID: $id, channel: EMAIL}) { contact { id } client { id } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.client()) }},
		"Mutation.closeCase": {scoped: true,
			op:   `mutation($id: ID!) { closeCase(input: {clientID: $id, reason: GOALS_MET}) { client { id status } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.client()) }},
		"Mutation.reopenCase": {scoped: true,
			op:   `mutation($id: ID!) { reopenCase(input: {clientID: $id}) { client { id status } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.closed()) }},
		"Mutation.closeCases": {scoped: true, admin: true, others: "FORBIDDEN",
			op:   `mutation($id: ID!) { closeCases(input: {clientIDs: [$id], reason: GOALS_MET}) { clients { id status } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.client()) }},

		"Mutation.setBackfillPreference": {scoped: true,
			op:   `mutation($id: ID!) { setBackfillPreference(input: {clientID: $id, wantsEarlier: true}) { client { id backfillEligible } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.client()) }},
		"Mutation.fillSlot": {scoped: true,
			op:    `mutation($a: ID!, $c: ID!) { fillSlot(input: {canceledAppointmentID: $a, clientID: $c, keepLaterAppointment: false}) { appointment { id } canceledAppointment { id } laterAppointment { id } userErrors { field message code } } }`,
			vars:  func(p *mxTarget) map[string]any { return mxVars("a", p.canceledSlot(), "c", p.candidate()) },
			cross: func(p, q *mxTarget) map[string]any { return mxVars("a", p.canceledSlot(), "c", q.candidate()) }},
		"Mutation.createRecurringSeries": {scoped: true,
			op: `mutation($c: ID!, $from: Date!) { createRecurringSeries(input: {clientID: $c, weekday: TUESDAY, time: "09:00", frequency: WEEKLY, count: 2, startsOn: $from}) {
				seriesID client { id } appointments { id } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("c", p.earned(), "from", p.x.seriesStart()) }},
		"Mutation.revokeRecurring": {scoped: true,
			op:   `mutation($id: ID!) { revokeRecurring(input: {clientID: $id, reason: "late three times"}) { client { id } canceled { id } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.privileged()) }},

		// A clinician asks for themselves; only an admin asks on another's behalf.
		"Mutation.requestNewClients": {scoped: true, others: "FORBIDDEN",
			op: `mutation($k: ID!) { requestNewClients(input: {count: 2, clinicianID: $k}) { request { id } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any {
				p.noOpenRequest()
				return mxVars("k", p.clinician())
			}},
		"Mutation.cancelNewClientRequest": {scoped: true,
			op:   `mutation($id: ID!) { cancelNewClientRequest(input: {requestID: $id}) { request { id status } userErrors { field message code } } }`,
			vars: func(p *mxTarget) map[string]any { return mxVars("id", p.request()) }},
		"Mutation.assignClient": {scoped: true, admin: true, others: "FORBIDDEN",
			op: `mutation($c: ID!, $k: ID!, $s: DateTime!, $e: DateTime!) { assignClient(input: {clientID: $c, clinicianID: $k, intakeStartsAt: $s, intakeEndsAt: $e}) {
				client { id } episode { id } intake { id } request { id } userErrors { field message code } } }`,
			vars:  func(p *mxTarget) map[string]any { return p.x.slot(mxVars("c", p.waitlist(), "k", p.clinician())) },
			cross: func(p, q *mxTarget) map[string]any { return p.x.slot(mxVars("c", p.waitlist(), "k", q.clinician())) }},
	}
}

// ---------------------------------------------------------------------------
// The test.

func TestRoleMatrix(t *testing.T) {
	testdb.SkipUnderShort(t, "thousands of requests: about 3 minutes under -race")
	schema := graph.NewSchema(graph.Options{}).Schema()
	queries, mutations, edges, phi := mxQueries(), mxMutations(), mxEdges(), mxPHI()

	t.Run("the matrix lists the whole schema", func(t *testing.T) {
		q, m, e, p := mxSchemaKeys(schema)
		mxCompare(t, "root query field", slices.Collect(maps.Keys(queries)), q)
		mxCompare(t, "mutation", slices.Collect(maps.Keys(mutations)), m)
		mxCompare(t, "edge", slices.Collect(maps.Keys(edges)), e)
		mxCompare(t, "identifying field", slices.Collect(maps.Keys(phi)), p)
		followed := 0
		for _, e := range edges {
			if e.sel != "" {
				followed++
			}
		}
		t.Logf("the matrix: %d root query fields, %d mutations, %d edges (%d followed from records of each caseload, the rest through the rows that select them), %d identifying fields",
			len(queries), len(mutations), len(edges), followed, len(phi))
	})

	testdb.Run(t, func(t *testing.T, d string) {
		x := newMatrix(t, d, schema)
		x.sub(t, "no token", (*matrix).checkAnonymous)
		for _, key := range slices.Sorted(maps.Keys(queries)) {
			x.sub(t, key, func(x *matrix, t *testing.T) { x.checkQuery(t, key, queries[key]) })
		}
		for _, key := range slices.Sorted(maps.Keys(edges)) {
			if edges[key].sel != "" {
				x.sub(t, key, func(x *matrix, t *testing.T) { x.checkEdge(t, key, edges[key]) })
			}
		}
		for _, key := range slices.Sorted(maps.Keys(phi)) {
			if phi[key] == "" {
				x.sub(t, key, func(x *matrix, t *testing.T) { x.checkPHI(t, key) })
			}
		}
		x.sub(t, "staff contact fields", (*matrix).checkStaffContact)
		// Last: the writes change the fixture the reads are checked against.
		for _, key := range slices.Sorted(maps.Keys(mutations)) {
			x.sub(t, key, func(x *matrix, t *testing.T) { x.checkMutation(t, key, mutations[key]) })
		}
		x.sub(t, "every edge and identifying field was queried", func(x *matrix, t *testing.T) {
			for _, key := range slices.Sorted(slices.Values(append(slices.Collect(maps.Keys(edges)), slices.Collect(maps.Keys(phi))...))) {
				if !x.selected[key] {
					t.Errorf("%s: no operation of the matrix selects it (row: %+v)", key, edges[key])
				}
			}
		})
	})
}

// mxSchemaKeys lists what the matrix must cover: the root fields, and for
// every object type reachable from them the edges and identifying fields.
func mxSchemaKeys(s *ast.Schema) (queries, mutations, edges, phi []string) {
	isObject := func(name string) bool {
		def := s.Types[name]
		return def != nil && (def.Kind == ast.Object || def.Kind == ast.Interface || def.Kind == ast.Union)
	}
	seen := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		def := s.Types[name]
		if def == nil || seen[name] || strings.HasPrefix(name, "__") {
			return
		}
		switch def.Kind {
		case ast.Object:
			seen[name] = true
			for _, f := range def.Fields {
				if !strings.HasPrefix(f.Name, "__") {
					visit(f.Type.Name())
				}
			}
		case ast.Interface, ast.Union:
			seen[name] = true
			for _, impl := range s.PossibleTypes[name] {
				visit(impl.Name)
			}
		}
	}
	visit(s.Query.Name)
	visit(s.Mutation.Name)
	for name := range seen {
		def := s.Types[name]
		if def.Kind != ast.Object {
			continue
		}
		for _, f := range def.Fields {
			key := name + "." + f.Name
			switch {
			case strings.HasPrefix(f.Name, "__"):
			case def == s.Query:
				queries = append(queries, key)
			case def == s.Mutation:
				mutations = append(mutations, key)
			case isObject(f.Type.Name()):
				edges = append(edges, key)
			case strings.Contains(strings.ToLower(f.Description), "identifying"):
				phi = append(phi, key)
			}
		}
	}
	return queries, mutations, edges, phi
}

func mxCompare(t *testing.T, kind string, table, schema []string) {
	t.Helper()
	for _, k := range slices.Sorted(slices.Values(schema)) {
		if !slices.Contains(table, k) {
			t.Errorf("%s %s is in the schema but not in the matrix: add a row saying who may use it", kind, k)
		}
	}
	for _, k := range slices.Sorted(slices.Values(table)) {
		if !slices.Contains(schema, k) {
			t.Errorf("%s %s is in the matrix but not in the schema: remove its row", kind, k)
		}
	}
}

// ---------------------------------------------------------------------------
// The fixture.

type matrix struct {
	t      *testing.T
	s      *apiServer
	db     *ent.Client
	schema *ast.Schema
	f, g   *practiceFixture
	token  map[mxRole]string
	user   map[mxRole]*ent.User
	// fx are the read fixture's records of each caseload (own, sup, other, south).
	fx map[string]*mxRecords
	// records are every fixture record with its type and scope, for node(id).
	records []mxRecord
	// fake are ids of each type that exist nowhere.
	fake map[string]int

	scopes   map[int]string
	selected map[string]bool
	parsed   map[string]bool

	future, past, series, uniq int
	print                      string
	dirty                      bool
}

type mxRecord struct {
	typ, scope string
	id         int
}

// mxRecords are the records of one caseload: a client (a minor with a
// primary caregiver), a second client on the backfill list, sessions past,
// booked, cancelled and filled, a billable contact, notes and a request.
type mxRecords struct {
	clinician                         *ent.Clinician
	owner                             *ent.User
	client, second                    *ent.ClientProfile
	episode                           *ent.Episode
	past, future, canceled, filler    *ent.Appointment
	caregiver                         *ent.Caregiver
	contact                           *ent.Contact
	note, contactNote, plan, addendum *ent.Document
	request                           *ent.NewClientRequest
}

func newMatrix(t *testing.T, d string, schema *ast.Schema) *matrix {
	s := newAPIServer(t, d)
	x := &matrix{t: t, s: s, db: s.main.DB.Ent, schema: schema, fx: map[string]*mxRecords{}, fake: map[string]int{},
		scopes: map[int]string{}, selected: map[string]bool{}, parsed: map[string]bool{}, dirty: true}
	x.f = s.seedPractice("North", "north.example")
	x.g = s.seedPractice("South", "south.example")
	f, g := x.f, x.g
	x.user = map[mxRole]*ent.User{mxAdmin: f.admin, mxClinician: f.clinicianUser, mxSupervisor: f.supervisor, mxAnalyst: f.analyst}
	x.token = map[mxRole]string{mxAnonymous: ""}
	for r, u := range x.user {
		x.token[r] = s.token(u)
	}
	// The supervisor's own caseload.
	sam := x.newClient(f, f.supervisorProfile, "Sam", clientprofile.StatusACTIVE)
	tam := x.newClient(f, f.supervisorProfile, "Tam", clientprofile.StatusACTIVE)
	x.newAppt(f, sam.ID, f.supervisorProfile.ID, testNow.Add(-7*24*time.Hour+10*time.Hour), nil)

	x.seed(mxOwn, f, f.clinician, f.clinicianUser, f.ownClients[0], f.ownClients[1])
	x.seed(mxSup, f, f.supervisorProfile, f.supervisor, sam, tam)
	x.seed(mxOther, f, f.other, f.otherUser, f.otherClients[0], f.otherClients[1])
	x.seed(mxSouth, g, g.clinician, g.clinicianUser, g.ownClients[0], g.ownClients[1])
	for _, u := range []*ent.User{f.admin, f.analyst} {
		x.records = append(x.records, mxRecord{"User", mxStaff, u.ID})
	}
	x.records = append(x.records, mxRecord{"User", mxSouth, g.admin.ID},
		mxRecord{"Practice", mxStaff, f.practice.ID}, mxRecord{"Practice", mxSouth, g.practice.ID})
	// An entry in each practice's audit log.
	const names = `{ clients(first: 1) { edges { node { firstName } } } }`
	s.mustDo(x.token[mxAdmin], names, nil)
	s.mustDo(s.token(g.admin), names, nil)
	x.records = append(x.records,
		mxRecord{"AuditEvent", mxAudit, must(x.db.AuditEvent.Query().Where(auditevent.PracticeID(f.practice.ID)).FirstID(sys()))},
		mxRecord{"AuditEvent", mxSouth, must(x.db.AuditEvent.Query().Where(auditevent.PracticeID(g.practice.ID)).FirstID(sys()))})
	for _, rec := range x.records {
		x.fake[rec.typ] = max(x.fake[rec.typ], rec.id+1<<20)
	}
	return x
}

func (x *matrix) seed(scope string, pf *practiceFixture, cl *ent.Clinician, owner *ent.User, client, second *ent.ClientProfile) {
	ctx, c := sys(), x.db
	r := &mxRecords{clinician: cl, owner: owner}
	r.client = must(client.Update().SetDateOfBirth(time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)).
		SetEmail("client@example.org").SetPhone("+1 555 0100").Save(ctx))
	r.second = must(second.Update().SetWantsEarlierAppointment(true).Save(ctx))
	r.episode = must(c.Episode.Query().Where(episode.ClientID(client.ID)).Only(ctx))
	r.past = must(c.Appointment.Query().Where(appointment.ClientID(client.ID)).Only(ctx))
	r.future = x.newAppt(pf, client.ID, cl.ID, testNow.Add(48*time.Hour), nil)
	r.canceled = x.newAppt(pf, client.ID, cl.ID, testNow.Add(72*time.Hour), func(a *ent.AppointmentCreate) {
		a.SetStatus(appointment.StatusCANCELED).SetCanceledBy(appointment.CanceledByCLIENT).SetCanceledAt(testNow.Add(-time.Hour))
	})
	r.filler = x.newAppt(pf, second.ID, cl.ID, testNow.Add(72*time.Hour), func(a *ent.AppointmentCreate) { a.SetFilledFromID(r.canceled.ID) })
	r.caregiver = must(c.Caregiver.Create().SetPracticeID(pf.practice.ID).SetClientID(client.ID).SetName("Pat Parent").
		SetRelationship("parent").SetPhone("+1 555 0111").SetEmail("pat@example.org").SetIsPrimary(true).Save(ctx))
	r.contact = must(c.Contact.Create().SetPracticeID(pf.practice.ID).SetClientID(client.ID).SetClinicianID(cl.ID).
		SetChannel(contact.ChannelPHONE).SetDirection(contact.DirectionINBOUND).SetPurpose(contact.PurposeCHECK_IN).
		SetOccurredAt(testNow.Add(-24 * time.Hour)).SetBillableMinutes(10).SetNote("called back").Save(ctx))
	doc := func(kind document.Kind, set func(*ent.DocumentCreate)) *ent.Document {
		d := c.Document.Create().SetPracticeID(pf.practice.ID).SetClientID(client.ID).SetAuthorID(owner.ID).
			SetKind(kind).SetBody("clinical text").SetCreatedAt(testNow.Add(-5 * 24 * time.Hour))
		set(d)
		return must(d.Save(ctx))
	}
	r.note = doc(document.KindPROGRESS_NOTE, func(d *ent.DocumentCreate) { d.SetAppointmentID(r.past.ID) })
	r.contactNote = doc(document.KindCONTACT_NOTE, func(d *ent.DocumentCreate) { d.SetContactID(r.contact.ID) })
	r.plan = doc(document.KindTREATMENT_PLAN, func(d *ent.DocumentCreate) {
		d.SetStatus(document.StatusSIGNED).SetSignedAt(testNow.Add(-5 * 24 * time.Hour))
	})
	r.addendum = doc(document.KindADDENDUM, func(d *ent.DocumentCreate) { d.SetAmendsID(r.plan.ID) })
	r.request = must(c.NewClientRequest.Create().SetPracticeID(pf.practice.ID).SetClinicianID(cl.ID).SetCount(2).Save(ctx))
	x.fx[scope] = r
	add := func(typ string, ids ...int) {
		for _, id := range ids {
			x.records = append(x.records, mxRecord{typ, scope, id})
		}
	}
	add("Client", r.client.ID, r.second.ID)
	add("Appointment", r.past.ID, r.future.ID, r.canceled.ID, r.filler.ID)
	add("Document", r.note.ID, r.contactNote.ID, r.plan.ID, r.addendum.ID)
	add("Contact", r.contact.ID)
	add("Caregiver", r.caregiver.ID)
	add("Episode", r.episode.ID)
	add("NewClientRequest", r.request.ID)
	add("Clinician", cl.ID)
	add("User", owner.ID)
}

// fixtureID is a record of the read fixture in a scope, or in the missing
// scope an id of its type that exists nowhere.
func (x *matrix) fixtureID(scope, typ string, pick func(*mxRecords) int) string {
	if scope == mxMissing {
		return encodeID(x.fake[typ])
	}
	return encodeID(pick(x.fx[scope]))
}

func (x *matrix) newClient(pf *practiceFixture, cl *ent.Clinician, first string, status clientprofile.Status) *ent.ClientProfile {
	ctx := sys()
	x.dirty = true
	create := x.db.ClientProfile.Create().SetPracticeID(pf.practice.ID).SetFirstName(first).SetLastName("Matrix").SetStatus(status)
	if status != clientprofile.StatusWAITLIST {
		create.SetClinicianID(cl.ID)
	}
	c := must(create.Save(ctx))
	if status != clientprofile.StatusWAITLIST {
		ep := x.db.Episode.Create().SetPracticeID(pf.practice.ID).SetClientID(c.ID).SetClinicianID(cl.ID).SetOpenedAt(testNow.AddDate(0, -2, 0))
		if status == clientprofile.StatusCLOSED {
			ep.SetClosedAt(testNow.AddDate(0, -1, 0)).SetCloseReason(episode.CloseReasonGOALS_MET)
		}
		must(ep.Save(ctx))
	}
	return c
}

func (x *matrix) newAppt(pf *practiceFixture, clientID, clinicianID int, start time.Time, set func(*ent.AppointmentCreate)) *ent.Appointment {
	ctx := sys()
	x.dirty = true
	create := x.db.Appointment.Create().SetPracticeID(pf.practice.ID).SetClientID(clientID).SetClinicianID(clinicianID).
		SetStartsAt(start).SetEndsAt(start.Add(50 * time.Minute))
	if ep, err := x.db.Episode.Query().Where(episode.ClientID(clientID), episode.ClosedAtIsNil()).First(ctx); err == nil {
		create.SetEpisodeID(ep.ID)
	}
	if set != nil {
		set(create)
	}
	return must(create.Save(ctx))
}

// nextFuture and nextPast are session starts nobody else has.
func (x *matrix) nextFuture() time.Time {
	x.future++
	return testNow.Add(10*24*time.Hour + time.Duration(x.future)*time.Hour)
}

func (x *matrix) nextPast() time.Time {
	x.past++
	return testNow.Add(-10*24*time.Hour - time.Duration(x.past)*time.Hour)
}

// slot adds a free session's start and end as $s and $e.
func (x *matrix) slot(vars map[string]any) map[string]any {
	start := x.nextFuture()
	vars["s"], vars["e"] = start.Format(time.RFC3339), start.Add(50*time.Minute).Format(time.RFC3339)
	return vars
}

// seriesStart is a date from which a two-week series collides with nothing.
func (x *matrix) seriesStart() string {
	x.series++
	return testNow.AddDate(0, 6, 14*x.series).Format(time.DateOnly)
}

func (x *matrix) email() string {
	x.uniq++
	return fmt.Sprintf("user%d@matrix.example", x.uniq)
}

// secondFactorLogin makes a fresh login of the practice in the middle of
// a sign-in, and returns its challenge and a current code of its secret:
// with enabled, a confirmed factor (the challenge asks for a code), else an
// enrolment started at a sign-in that requires one.
func (x *matrix) secondFactorLogin(enabled bool) (challenge, code string) {
	u := must(x.db.User.Create().SetPracticeID(x.f.practice.ID).SetEmail(x.email()).
		SetPasswordHash(passwordHash(x.t)).SetRole(user.RoleANALYST).Save(sys()))
	e := must(x.s.main.TOTP.Enrol(u.ID, u.Email))
	challenge = fmt.Sprintf("matrix-challenge-%d", u.ID)
	sum := sha256.Sum256([]byte(challenge))
	update := u.Update().SetTotpSecret(e.Sealed).SetSignInChallengeHash(hex.EncodeToString(sum[:])).
		SetSignInChallengeExpiresAt(x.s.clock.Now().Add(time.Minute))
	if enabled {
		update.SetTotpEnabledAt(x.s.clock.Now())
	}
	must(update.Save(sys()))
	return challenge, x.s.codeAt(e.Secret)
}

func (x *matrix) refreshToken() string {
	return must(x.s.main.Sessions.Start(sys(), x.db, x.f.clinicianUser)).RefreshToken
}

// ---------------------------------------------------------------------------
// Targets of the mutations: fresh records of one scope, made on first use.

type mxTarget struct {
	x     *matrix
	scope string
	pf    *practiceFixture
	cl    *ent.Clinician
	owner *ent.User
	made  map[string]int
}

func (x *matrix) target(scope string) *mxTarget {
	p := &mxTarget{x: x, scope: scope, made: map[string]int{}}
	switch scope {
	case mxOwn:
		p.pf, p.cl, p.owner = x.f, x.f.clinician, x.f.clinicianUser
	case mxSup:
		p.pf, p.cl, p.owner = x.f, x.f.supervisorProfile, x.f.supervisor
	case mxOther:
		p.pf, p.cl, p.owner = x.f, x.f.other, x.f.otherUser
	default:
		p.pf, p.cl, p.owner = x.g, x.g.clinician, x.g.clinicianUser
	}
	return p
}

// id returns the record called name, made on first use; in the missing
// scope, an id of its type that exists nowhere.
func (p *mxTarget) id(name, typ string, make func() int) string {
	if p.scope == mxMissing {
		return encodeID(p.x.fake[typ])
	}
	if _, ok := p.made[name]; !ok {
		p.made[name] = make()
		p.x.dirty = true
	}
	return encodeID(p.made[name])
}

func (p *mxTarget) clientID() int {
	p.client()
	return p.made["client"]
}

func (p *mxTarget) clinician() string {
	return p.id("clinician", "Clinician", func() int { return p.cl.ID })
}

// client is ACTIVE on the scope's caseload, with an open episode.
func (p *mxTarget) client() string {
	return p.id("client", "Client", func() int { return p.x.newClient(p.pf, p.cl, "Fresh", clientprofile.StatusACTIVE).ID })
}

func (p *mxTarget) waitlist() string {
	return p.id("waitlist", "Client", func() int { return p.x.newClient(p.pf, nil, "Waiting", clientprofile.StatusWAITLIST).ID })
}

func (p *mxTarget) closed() string {
	return p.id("closed", "Client", func() int { return p.x.newClient(p.pf, p.cl, "Closed", clientprofile.StatusCLOSED).ID })
}

// candidate is on the backfill list of the scope's clinician, with nothing booked.
func (p *mxTarget) candidate() string {
	return p.id("candidate", "Client", func() int {
		c := p.x.newClient(p.pf, p.cl, "Eager", clientprofile.StatusACTIVE)
		return must(c.Update().SetWantsEarlierAppointment(true).Save(sys())).ID
	})
}

// earned attended its last three sessions on time: a recurring series is earned.
func (p *mxTarget) earned() string {
	return p.id("earned", "Client", func() int {
		c := p.x.newClient(p.pf, p.cl, "Steady", clientprofile.StatusACTIVE)
		for range 3 {
			p.x.newAppt(p.pf, c.ID, p.cl.ID, p.x.nextPast(), func(a *ent.AppointmentCreate) {
				a.SetStatus(appointment.StatusATTENDED).SetMinutesLate(0)
			})
		}
		return c.ID
	})
}

// privileged holds a recurring series with a booked session.
func (p *mxTarget) privileged() string {
	return p.id("privileged", "Client", func() int {
		c := p.x.newClient(p.pf, p.cl, "Regular", clientprofile.StatusACTIVE)
		must(c.Update().SetRecurringPrivilege(true).Save(sys()))
		p.x.newAppt(p.pf, c.ID, p.cl.ID, p.x.nextFuture(), func(a *ent.AppointmentCreate) { a.SetSeriesID(fmt.Sprintf("series-%d", c.ID)) })
		return c.ID
	})
}

func (p *mxTarget) appt(name string, start func() time.Time, set func(*ent.AppointmentCreate)) string {
	return p.id(name, "Appointment", func() int { return p.x.newAppt(p.pf, p.clientID(), p.cl.ID, start(), set).ID })
}

func (p *mxTarget) futureAppt() string { return p.appt("future", p.x.nextFuture, nil) }
func (p *mxTarget) pastAppt() string   { return p.appt("past", p.x.nextPast, nil) }

func (p *mxTarget) noShow() string {
	return p.appt("noShow", p.x.nextPast, func(a *ent.AppointmentCreate) { a.SetStatus(appointment.StatusNO_SHOW) })
}

func (p *mxTarget) canceledSlot() string {
	return p.appt("canceled", p.x.nextFuture, func(a *ent.AppointmentCreate) {
		a.SetStatus(appointment.StatusCANCELED).SetCanceledBy(appointment.CanceledByCLIENT).SetCanceledAt(testNow.Add(-time.Hour))
	})
}

func (p *mxTarget) document(name string, status document.Status) string {
	return p.id(name, "Document", func() int {
		d := p.x.db.Document.Create().SetPracticeID(p.pf.practice.ID).SetClientID(p.clientID()).SetAuthorID(p.owner.ID).
			SetKind(document.KindTREATMENT_PLAN).SetBody("clinical text").SetStatus(status).SetCreatedAt(testNow.Add(-time.Hour))
		if status == document.StatusSIGNED {
			d.SetSignedAt(testNow.Add(-time.Hour))
		}
		return must(d.Save(sys())).ID
	})
}

// draft is a DRAFT at version 1 by the scope's clinician; signed is SIGNED.
func (p *mxTarget) draft() string  { return p.document("draft", document.StatusDRAFT) }
func (p *mxTarget) signed() string { return p.document("signed", document.StatusSIGNED) }

func (p *mxTarget) contact() string {
	return p.id("contact", "Contact", func() int {
		return must(p.x.db.Contact.Create().SetPracticeID(p.pf.practice.ID).SetClientID(p.clientID()).SetClinicianID(p.cl.ID).
			SetChannel(contact.ChannelPHONE).SetDirection(contact.DirectionINBOUND).SetPurpose(contact.PurposeCHECK_IN).
			SetOccurredAt(testNow.Add(-time.Hour)).Save(sys())).ID
	})
}

func (p *mxTarget) caregiver() string {
	return p.id("caregiver", "Caregiver", func() int {
		return must(p.x.db.Caregiver.Create().SetPracticeID(p.pf.practice.ID).SetClientID(p.clientID()).
			SetName("Lee Parent").SetRelationship("parent").Save(sys())).ID
	})
}

// noOpenRequest withdraws the clinician's open request: one is allowed at a time.
func (p *mxTarget) noOpenRequest() {
	if p.scope == mxMissing {
		return
	}
	p.x.dirty = true
	must(p.x.db.NewClientRequest.Update().
		Where(newclientrequest.ClinicianID(p.cl.ID), newclientrequest.StatusEQ(newclientrequest.StatusOPEN)).
		SetStatus(newclientrequest.StatusCANCELED).SetClosedAt(testNow).Save(sys()))
}

// request is the clinician's open new-client request.
func (p *mxTarget) request() string {
	return p.id("request", "NewClientRequest", func() int {
		p.noOpenRequest()
		return must(p.x.db.NewClientRequest.Create().SetPracticeID(p.pf.practice.ID).SetClinicianID(p.cl.ID).SetCount(2).Save(sys())).ID
	})
}

// user is a login of the scope's practice nobody else uses.
func (p *mxTarget) user() string {
	return p.id("user", "User", func() int {
		return must(p.x.db.User.Create().SetPracticeID(p.pf.practice.ID).SetEmail(p.x.email()).
			SetPasswordHash(passwordHash(p.x.t)).SetRole(user.RoleANALYST).Save(sys())).ID
	})
}

// ---------------------------------------------------------------------------
// Checks.

// sub runs fn as a subtest, with the server's helpers failing that subtest.
func (x *matrix) sub(t *testing.T, name string, fn func(x *matrix, t *testing.T)) {
	t.Run(name, func(t *testing.T) {
		prevT, prevS := x.t, x.s.t
		x.t, x.s.t = t, t
		defer func() { x.t, x.s.t = prevT, prevS }()
		fn(x, t)
	})
}

// do runs an operation as a role, noting the fields it selects.
func (x *matrix) do(r mxRole, op string, vars map[string]any) *gqlResponse {
	return x.doToken(x.token[r], op, vars)
}

func (x *matrix) doToken(token, op string, vars map[string]any) *gqlResponse {
	x.t.Helper()
	x.note(op)
	return x.s.do(token, op, vars)
}

// note validates an operation against the schema and records the
// "Type.field" pairs it selects.
func (x *matrix) note(op string) {
	if x.parsed[op] {
		return
	}
	x.parsed[op] = true
	doc, errs := gqlparser.LoadQueryWithRules(x.schema, op, nil) // nil: the default rules
	if len(errs) > 0 {
		x.t.Errorf("the operation does not match the schema: %v\n%s", errs, op)
		return
	}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch sel := sel.(type) {
			case *ast.Field:
				if sel.ObjectDefinition != nil {
					x.selected[sel.ObjectDefinition.Name+"."+sel.Name] = true
				}
				walk(sel.SelectionSet)
			case *ast.InlineFragment:
				walk(sel.SelectionSet)
			case *ast.FragmentSpread:
				if sel.Definition != nil {
					walk(sel.Definition.SelectionSet)
				}
			}
		}
	}
	for _, o := range doc.Operations {
		walk(o.SelectionSet)
	}
}

// scopeOf says whose a record is, from the database.
func (x *matrix) scopeOf(id int) string {
	if sc, ok := x.scopes[id]; ok {
		return sc
	}
	sc := x.lookupScope(id)
	x.scopes[id] = sc
	return sc
}

func (x *matrix) lookupScope(id int) string {
	ctx, c := sys(), x.db
	if v, err := c.ClientProfile.Get(ctx, id); err == nil {
		return x.caseloadScope(v.PracticeID, v.ClinicianID)
	}
	if v, err := c.Appointment.Get(ctx, id); err == nil {
		return x.scopeOf(v.ClientID)
	}
	if v, err := c.Document.Get(ctx, id); err == nil {
		return x.scopeOf(v.ClientID)
	}
	if v, err := c.Contact.Get(ctx, id); err == nil {
		return x.scopeOf(v.ClientID)
	}
	if v, err := c.Caregiver.Get(ctx, id); err == nil {
		return x.scopeOf(v.ClientID)
	}
	if v, err := c.Episode.Get(ctx, id); err == nil {
		return x.scopeOf(v.ClientID)
	}
	if v, err := c.NewClientRequest.Get(ctx, id); err == nil {
		return x.caseloadScope(v.PracticeID, &v.ClinicianID)
	}
	if v, err := c.Clinician.Get(ctx, id); err == nil {
		return x.practiceScope(v.PracticeID, mxStaff)
	}
	if v, err := c.User.Get(ctx, id); err == nil {
		return x.practiceScope(v.PracticeID, mxStaff)
	}
	if v, err := c.Practice.Get(ctx, id); err == nil {
		return x.practiceScope(v.ID, mxStaff)
	}
	if v, err := c.AuditEvent.Get(ctx, id); err == nil {
		return x.practiceScope(v.PracticeID, mxAudit)
	}
	return "unknown"
}

func (x *matrix) practiceScope(practiceID int, scope string) string {
	if practiceID != x.f.practice.ID {
		return mxSouth
	}
	return scope
}

func (x *matrix) caseloadScope(practiceID int, clinicianID *int) string {
	switch {
	case practiceID != x.f.practice.ID:
		return mxSouth
	case clinicianID == nil:
		return mxWaitlist
	case *clinicianID == x.f.clinician.ID:
		return mxOwn
	case *clinicianID == x.f.supervisorProfile.ID:
		return mxSup
	case *clinicianID == x.f.other.ID:
		return mxOther
	}
	return mxPractice
}

func (x *matrix) canRead(r mxRole, id int) bool { return slices.Contains(mxReads[r], x.scopeOf(id)) }

func (x *matrix) visible(r mxRole, ids []int) []int {
	out := []int{}
	for _, id := range ids {
		if x.canRead(r, id) {
			out = append(out, id)
		}
	}
	return out
}

// all are the ids of every record of a type, in every practice.
func (x *matrix) all(typ string) []int {
	ctx, c := sys(), x.db
	switch typ {
	case "Appointment":
		return must(c.Appointment.Query().IDs(ctx))
	case "Client":
		return must(c.ClientProfile.Query().IDs(ctx))
	case "Clinician":
		return must(c.Clinician.Query().IDs(ctx))
	case "Contact":
		return must(c.Contact.Query().IDs(ctx))
	case "Document":
		return must(c.Document.Query().IDs(ctx))
	case "NewClientRequest":
		return must(c.NewClientRequest.Query().IDs(ctx))
	}
	x.t.Fatalf("no list of %s records", typ)
	return nil
}

// ids are the record ids an answer holds (the values of its "id" keys).
func (x *matrix) ids(v any) []int {
	var out []int
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if s, ok := e.(string); ok && k == "id" {
					id, err := decodeForTest(s)
					if err != nil {
						x.t.Errorf("id %q: %v", s, err)
					}
					out = append(out, id)
					continue
				}
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return mxSet(out)
}

func mxSet(ids []int) []int {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// mxTotal finds the first totalCount of an answer.
func mxTotal(v any) (float64, bool) {
	switch v := v.(type) {
	case map[string]any:
		if n, ok := v["totalCount"].(float64); ok {
			return n, true
		}
		for _, e := range v {
			if n, ok := mxTotal(e); ok {
				return n, true
			}
		}
	case []any:
		for _, e := range v {
			if n, ok := mxTotal(e); ok {
				return n, true
			}
		}
	}
	return 0, false
}

func mxDescribe(r *gqlResponse) string {
	if len(r.Errors) == 0 {
		return fmt.Sprintf("allowed (HTTP %d) %s", r.Status, mxJSON(r.Data))
	}
	return fmt.Sprintf("%s %q (HTTP %d)", r.code(), r.Errors[0].Message, r.Status)
}

func mxJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// mxLift answers a mutation of the payload shape as one of the old shape,
// so that the matrix judges both alike: the payload's userErrors become
// errors of the response (with the root field and the userError's field
// as their path), and the payload its object (null when refused; a map of
// them when it holds several).
func mxLift(r *gqlResponse, field string) *gqlResponse {
	payload, ok := r.Data[field].(map[string]any)
	if !ok || payload["userErrors"] == nil {
		return r
	}
	for _, ue := range r.userErrors(field) {
		path := []any{field}
		for _, f := range ue.Field {
			path = append(path, f)
		}
		r.Errors = append(r.Errors, struct {
			Message    string         `json:"message"`
			Path       []any          `json:"path"`
			Extensions map[string]any `json:"extensions"`
		}{ue.Message, path, map[string]any{"code": ue.Code}})
	}
	// The payload's objects: its one object as it is, several (a
	// payload with more than one) as a map, none (refused) as null.
	objects := map[string]any{}
	for k, v := range payload {
		if k != "userErrors" && v != nil {
			objects[k] = v
		}
	}
	var lifted any
	switch len(objects) {
	case 0:
	case 1:
		for _, v := range objects {
			lifted = v
		}
	default:
		lifted = objects
	}
	r.Data[field] = lifted
	return r
}

// mxSameAnswer: a client cannot tell the two answers apart.
func mxSameAnswer(a, b *gqlResponse) bool {
	errs := func(r *gqlResponse) string {
		var out []string
		for _, e := range r.Errors {
			out = append(out, fmt.Sprintf("%s|%v|%s", e.Message, e.Extensions["code"], mxJSON(e.Path)))
		}
		return strings.Join(out, "\n")
	}
	return a.Status == b.Status && mxJSON(a.Data) == mxJSON(b.Data) && errs(a) == errs(b)
}

// fingerprint digests every row of the tables a write could change.
func (x *matrix) fingerprint() string {
	h := sha256.New()
	for _, table := range []string{"practices", "users", "clinicians", "clients", "caregivers", "episodes",
		"appointments", "contacts", "documents", "new_client_requests"} {
		x.fingerprintTable(h, table)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// fingerprintTable writes every row of table to h.
func (x *matrix) fingerprintTable(h io.Writer, table string) {
	rows, err := x.s.main.DB.SQL.Query("SELECT * FROM " + table + " ORDER BY id")
	if err != nil {
		x.t.Fatalf("reading %s: %v", table, err)
	}
	defer rows.Close()
	cols := must(rows.Columns())
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			x.t.Fatalf("reading %s: %v", table, err)
		}
		fmt.Fprintf(h, "%s %v\n", table, vals)
	}
	if err := rows.Err(); err != nil {
		x.t.Fatalf("reading %s: %v", table, err)
	}
}

func (x *matrix) currentPrint() string {
	if x.dirty {
		x.print, x.dirty = x.fingerprint(), false
	}
	return x.print
}

// checkRead compares an answer with what the role should get.
func (x *matrix) checkRead(t *testing.T, what string, r mxRole, resp *gqlResponse, field string, w mxWant) {
	t.Helper()
	if w.code != "" {
		if resp.code() != w.code {
			t.Errorf("%s: %s, want %s", what, mxDescribe(resp), w.code)
		}
		if resp.Data[field] != nil {
			t.Errorf("%s: refused, yet answered %s", what, mxJSON(resp.Data))
		}
		return
	}
	if len(resp.Errors) > 0 {
		t.Errorf("%s: %s, want an answer", what, mxDescribe(resp))
		return
	}
	got := x.ids(resp.Data)
	scopes := w.scopes
	if scopes == nil {
		scopes = mxReads[r]
	}
	for _, id := range got {
		if sc := x.scopeOf(id); !slices.Contains(scopes, sc) {
			t.Errorf("%s: the answer holds %s record %d, out of the caller's scopes %v", what, sc, id, scopes)
		}
	}
	if w.exact != nil {
		if want := mxSet(w.exact); !slices.Equal(got, want) {
			t.Errorf("%s: records %v, want %v", what, got, want)
		}
		if n, ok := mxTotal(resp.Data); ok && int(n) != len(mxSet(w.exact)) {
			t.Errorf("%s: totalCount %v, want %d", what, n, len(mxSet(w.exact)))
		}
	}
	for _, id := range w.has {
		if !slices.Contains(got, id) {
			t.Errorf("%s: record %d (%s) is missing from %v", what, id, x.scopeOf(id), got)
		}
	}
}

func (x *matrix) checkAnonymous(t *testing.T) {
	for _, op := range []string{`{ __typename }`, `{ __schema { queryType { name } mutationType { name } } }`, `{ __type(name: "Client") { name } }`} {
		if r := x.do(mxAnonymous, op, nil); len(r.Errors) > 0 {
			t.Errorf("introspection without a token: %s\n%s", mxDescribe(r), op)
		}
	}
}

func (x *matrix) checkQuery(t *testing.T, key string, q mxQuery) {
	if q.check != nil {
		q.check(x, t)
		return
	}
	field := strings.TrimPrefix(key, "Query.")
	scopes := []string{""}
	if q.scoped {
		scopes = mxTargetScopes
	}
	for _, r := range mxRoles {
		var missing *gqlResponse
		for _, sc := range scopes {
			var vars map[string]any
			if q.vars != nil {
				vars = q.vars(x, sc)
			}
			resp := x.do(r, q.op, vars)
			w := mxWant{code: "UNAUTHENTICATED"}
			if r != mxAnonymous {
				w = q.want(x, r, sc)
			}
			what := key + " as " + string(r)
			if sc != "" {
				what += " (target: " + sc + ")"
			}
			x.checkRead(t, what, r, resp, field, w)
			switch {
			case sc == mxMissing:
				missing = resp
			case q.scoped && !slices.Contains(mxReads[r], sc) && !mxSameAnswer(resp, missing):
				t.Errorf("%s: %s; a missing id gets %s: the answers must not differ", what, mxDescribe(resp), mxDescribe(missing))
			}
		}
	}
}

// checkNode: node(id) answers a record the role may not see exactly as an
// id that exists nowhere.
func (x *matrix) checkNode(t *testing.T) {
	const op = `query($id: ID!) { node(id: $id) { id } }`
	for _, typ := range x.nodeTypes(t) {
		missing := map[mxRole]*gqlResponse{}
		for _, r := range mxRoles {
			missing[r] = x.do(r, op, map[string]any{"id": encodeID(x.fake[typ])})
			want := "NOT_FOUND"
			if r == mxAnonymous {
				want = "UNAUTHENTICATED"
			}
			if missing[r].code() != want || missing[r].Data["node"] != nil {
				t.Errorf("node of a missing %s as %s: %s, want %s", typ, r, mxDescribe(missing[r]), want)
			}
		}
		for _, rec := range x.records {
			if rec.typ != typ {
				continue
			}
			for _, r := range mxRoles {
				resp := x.do(r, op, map[string]any{"id": encodeID(rec.id)})
				what := fmt.Sprintf("node of %s's %s %d as %s", rec.scope, typ, rec.id, r)
				if r != mxAnonymous && x.canRead(r, rec.id) {
					node, _ := resp.Data["node"].(map[string]any)
					if len(resp.Errors) > 0 || node == nil || node["id"] != encodeID(rec.id) {
						t.Errorf("%s: %s, want the record", what, mxDescribe(resp))
					}
				} else if !mxSameAnswer(resp, missing[r]) {
					t.Errorf("%s: %s; a missing id gets %s: the answers must not differ", what, mxDescribe(resp), mxDescribe(missing[r]))
				}
			}
		}
	}
}

// nodeTypes are the types that implement Node; the fixture must hold each.
func (x *matrix) nodeTypes(t *testing.T) []string {
	var out []string
	for _, def := range x.schema.PossibleTypes["Node"] {
		out = append(out, def.Name)
		if !slices.ContainsFunc(x.records, func(r mxRecord) bool { return r.typ == def.Name }) {
			t.Errorf("the fixture has no %s record to ask node(id) for", def.Name)
		}
	}
	slices.Sort(out)
	return out
}

// checkNodes: nodes(ids) returns what the role may see, and answers a
// record it may not see exactly as an id that exists nowhere.
func (x *matrix) checkNodes(t *testing.T) {
	const op = `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`
	x.nodeTypes(t)
	anchor := encodeID(x.f.clinician.ID) // a record every role sees
	if r := x.do(mxAnonymous, op, map[string]any{"ids": []string{anchor}}); r.code() != "UNAUTHENTICATED" || r.Data["nodes"] != nil {
		t.Errorf("nodes without a token: %s, want UNAUTHENTICATED", mxDescribe(r))
	}
	for _, r := range mxStaffRoles {
		var visible []string
		for _, rec := range x.records {
			if x.canRead(r, rec.id) {
				visible = append(visible, encodeID(rec.id))
			}
		}
		resp := x.do(r, op, map[string]any{"ids": visible})
		nodes, _ := resp.Data["nodes"].([]any)
		if len(resp.Errors) > 0 || len(nodes) != len(visible) {
			t.Errorf("nodes of the %d records %s sees: %s", len(visible), r, mxDescribe(resp))
		} else {
			for i, n := range nodes {
				if m, _ := n.(map[string]any); m == nil || m["id"] != visible[i] {
					t.Errorf("nodes as %s: element %d is %v, want %s", r, i, n, visible[i])
				}
			}
		}
		for _, rec := range x.records {
			if x.canRead(r, rec.id) {
				continue
			}
			got := x.do(r, op, map[string]any{"ids": []string{anchor, encodeID(rec.id)}})
			missing := x.do(r, op, map[string]any{"ids": []string{anchor, encodeID(x.fake[rec.typ])}})
			what := fmt.Sprintf("nodes with %s's %s %d as %s", rec.scope, rec.typ, rec.id, r)
			if missing.code() != "NOT_FOUND" {
				t.Errorf("nodes with a missing %s as %s: %s, want NOT_FOUND", rec.typ, r, mxDescribe(missing))
			}
			if !mxSameAnswer(got, missing) {
				t.Errorf("%s: %s %s; a missing id gets %s %s: the answers must not differ",
					what, mxDescribe(got), mxJSON(got.Data), mxDescribe(missing), mxJSON(missing.Data))
			}
		}
	}
}

type mxParent struct {
	scope string
	id    int
}

// parents are the records of a type the edges are followed from: one or
// more of each caseload of the practice, and the staff's.
func (x *matrix) parents(typ string) []mxParent {
	var out []mxParent
	for _, rec := range x.records {
		if rec.typ == typ && rec.scope != mxSouth && rec.scope != mxAudit {
			out = append(out, mxParent{rec.scope, rec.id})
		}
	}
	return out
}

// checkEdge follows an edge from records of each caseload, as every role
// that may see the record: the answer must hold exactly the records at the
// other end that the role may see (the admin's answer is the oracle, checked
// to stay inside the practice).
func (x *matrix) checkEdge(t *testing.T, key string, e mxEdge) {
	typ, field, _ := strings.Cut(key, ".")
	op := fmt.Sprintf(`query($id: ID!) { node(id: $id) { ... on %s { %s } } }`, typ, e.sel)
	const page = 5
	found := false
	parents := x.parents(typ)
	if len(parents) == 0 {
		t.Fatalf("the fixture has no %s to follow %s from", typ, key)
	}
	for _, p := range parents {
		vars := map[string]any{"id": encodeID(p.id)}
		oracle := x.do(mxAdmin, strings.ReplaceAll(op, "FIRST", "100"), vars)
		if len(oracle.Errors) > 0 {
			t.Errorf("%s of %s's %s %d as ADMIN: %s", key, p.scope, typ, p.id, mxDescribe(oracle))
			continue
		}
		all := x.ids(oracle.Data)
		for _, id := range all {
			if sc := x.scopeOf(id); sc == mxSouth || sc == "unknown" {
				t.Errorf("%s of %s's %s %d as ADMIN: the answer holds %s record %d", key, p.scope, typ, p.id, sc, id)
			}
		}
		found = found || len(all) > 0
		for _, r := range mxStaffRoles {
			if !x.canRead(r, p.id) {
				continue // node(id) is NOT_FOUND: Query.node checks that
			}
			resp := oracle
			if e.paged {
				resp = x.do(r, strings.ReplaceAll(op, "FIRST", fmt.Sprint(page)), vars)
			} else if r != mxAdmin {
				resp = x.do(r, op, vars)
			}
			what := fmt.Sprintf("%s of %s's %s %d as %s", key, p.scope, typ, p.id, r)
			if len(resp.Errors) > 0 {
				t.Errorf("%s: %s", what, mxDescribe(resp))
				continue
			}
			got, want := x.ids(resp.Data), x.visible(r, all)
			for _, id := range got {
				if !x.canRead(r, id) {
					t.Errorf("%s: the answer holds %s record %d, which %s may not see", what, x.scopeOf(id), id, r)
				}
			}
			switch {
			case e.paged && len(want) > page:
				if len(got) != page || slices.ContainsFunc(got, func(id int) bool { return !slices.Contains(want, id) }) {
					t.Errorf("%s: records %v, want %d of %v", what, got, page, want)
				}
			case !slices.Equal(got, want):
				t.Errorf("%s: records %v, want %v (the admin's answer %v, less what %s may not see)", what, got, want, all, r)
			}
			if n, ok := mxTotal(resp.Data); e.paged && (!ok || int(n) != len(want)) {
				t.Errorf("%s: totalCount %v, want %d", what, n, len(want))
			}
			if e.caseload {
				node, _ := resp.Data["node"].(map[string]any)
				reads := slices.Contains(mxReads[r], p.scope)
				if (node[field] != nil) != reads {
					t.Errorf("%s: %s = %s; it must be null exactly when the caller may not read the caseload (reads it: %v)",
						what, field, mxJSON(node[field]), reads)
				}
			}
		}
	}
	if !found && !e.mayBeEmpty {
		t.Errorf("%s: no record of the fixture has anything at the other end: the row checks nothing", key)
	}
}

// checkStaffContact checks the rows of mxStaffContact, and that the schema
// marks no other field so.
func (x *matrix) checkStaffContact(t *testing.T) {
	var marked []string
	for _, def := range x.schema.Types {
		for _, f := range def.Fields {
			if strings.Contains(f.Description, "only admins read it") {
				marked = append(marked, def.Name+"."+f.Name)
			}
		}
	}
	mxCompare(t, "staff contact field", mxStaffContact(), marked)
	const read = `query($id: ID!) { node(id: $id) { id ... on User { role email lastLoginAt } } }`
	for _, r := range mxStaffRoles {
		other := x.user[mxAdmin]
		if r == mxAdmin {
			other = x.user[mxClinician]
		}
		resp := x.do(r, read, map[string]any{"id": encodeID(other.ID)})
		node, _ := resp.Data["node"].(map[string]any)
		what := "another login's email as " + string(r)
		switch {
		case node == nil || node["role"] != string(other.Role):
			t.Errorf("%s: %s %s, want the login with its role", what, mxDescribe(resp), mxJSON(resp.Data))
		case r == mxAdmin && (len(resp.Errors) > 0 || node["email"] != other.Email):
			t.Errorf("%s: %s %s, want %q", what, mxDescribe(resp), mxJSON(resp.Data), other.Email)
		case r != mxAdmin && (resp.code() != "FORBIDDEN" || len(resp.Errors) != 2 || node["email"] != nil || node["lastLoginAt"] != nil):
			t.Errorf("%s: %s %s, want FORBIDDEN and null on email and lastLoginAt", what, mxDescribe(resp), mxJSON(resp.Data))
		}
		own := x.do(r, `{ me { email lastLoginAt } }`, nil)
		if me, _ := own.Data["me"].(map[string]any); len(own.Errors) > 0 || me == nil || me["email"] != x.user[r].Email {
			t.Errorf("%s reading its own email: %s %s", r, mxDescribe(own), mxJSON(own.Data))
		}
		for _, op := range []string{
			`{ clinicians(first: 5, where: {hasUserWith: [{emailHasPrefix: "a"}]}) { totalCount } }`,
			`{ documents(first: 5, where: {hasAuthorWith: [{lastLoginAtGT: "2020-01-01T00:00:00Z"}]}) { totalCount } }`,
		} {
			resp := x.do(r, op, nil)
			if r == mxAdmin && len(resp.Errors) > 0 || r != mxAdmin && resp.code() != "FORBIDDEN" {
				t.Errorf("%s filtering logins by email or last sign-in: %s, want %s", r, mxDescribe(resp), map[bool]string{true: "allowed", false: "FORBIDDEN"}[r == mxAdmin])
			}
		}
	}
}

// checkPHI: an analyst gets FORBIDDEN and null for an identifying field,
// the rest of the record still resolves; the other roles get the value.
func (x *matrix) checkPHI(t *testing.T, key string) {
	typ, field, _ := strings.Cut(key, ".")
	own := x.fx[mxOwn]
	id, ok := map[string]int{"Client": own.client.ID, "Caregiver": own.caregiver.ID, "Document": own.note.ID, "Contact": own.contact.ID}[typ]
	value, known := map[string]string{
		"Client.firstName": own.client.FirstName, "Client.lastName": own.client.LastName, "Client.dateOfBirth": "2015-01-01",
		"Client.email": "client@example.org", "Client.phone": "+1 555 0100",
		"Caregiver.name": "Pat Parent", "Caregiver.phone": "+1 555 0111", "Caregiver.email": "pat@example.org",
		"Document.body": "clinical text", "Contact.note": "called back",
	}[key]
	if !ok || !known {
		t.Fatalf("the fixture has no %s to read %s of", typ, key)
	}
	op := fmt.Sprintf(`query($id: ID!) { node(id: $id) { id ... on %s { %s } } }`, typ, field)
	for _, r := range mxStaffRoles {
		resp := x.do(r, op, map[string]any{"id": encodeID(id)})
		node, _ := resp.Data["node"].(map[string]any)
		what := key + " as " + string(r)
		switch {
		case node == nil || node["id"] != encodeID(id):
			t.Errorf("%s: %s %s, want the record", what, mxDescribe(resp), mxJSON(resp.Data))
		case r == mxAnalyst && (resp.code() != "FORBIDDEN" || node[field] != nil):
			t.Errorf("%s: %s %s, want FORBIDDEN and null", what, mxDescribe(resp), mxJSON(resp.Data))
		case r != mxAnalyst && (len(resp.Errors) > 0 || node[field] != value):
			t.Errorf("%s: %s %s, want the value %q", what, mxDescribe(resp), mxJSON(resp.Data), value)
		}
	}
}

// mutate runs a mutation as a role and checks the answer; want is the
// expected code ("" allowed, "*" any refusal). A refused mutation must
// change nothing; an allowed one must answer with records the role may see.
func (x *matrix) mutate(t *testing.T, what string, r mxRole, m mxMutation, op, field string, vars map[string]any, want string) *gqlResponse {
	t.Helper()
	token := x.token[r]
	if m.freshToken && r != mxAnonymous {
		token = x.s.token(x.user[r])
	}
	before := x.currentPrint()
	resp := mxLift(x.doToken(token, op, vars), field)
	x.dirty = true
	changed := x.currentPrint() != before
	refused := len(resp.Errors) > 0
	switch {
	case want == "" && refused:
		t.Errorf("%s: %s, want allowed", what, mxDescribe(resp))
	case want == "" && !m.public:
		for _, id := range x.ids(resp.Data) {
			if !x.canRead(r, id) {
				t.Errorf("%s: the answer holds %s record %d, which %s may not see", what, x.scopeOf(id), id, r)
			}
		}
	case want == "*" && !refused:
		t.Errorf("%s: %s, want refused as for an id that exists nowhere", what, mxDescribe(resp))
	case want != "" && !refused:
		t.Errorf("%s: %s, want refused with %s", what, mxDescribe(resp), want)
	case want != "*" && resp.code() != want:
		t.Errorf("%s: %s, want %s", what, mxDescribe(resp), want)
	}
	if want != "" && refused {
		if resp.Data[field] != nil {
			t.Errorf("%s: refused, yet answered %s", what, mxJSON(resp.Data))
		}
		if changed {
			t.Errorf("%s: refused (%s), yet the database changed", what, mxDescribe(resp))
		}
	}
	if !refused {
		clear(x.scopes) // a write may move a record to another caseload
	}
	return resp
}

func (x *matrix) checkMutation(t *testing.T, key string, m mxMutation) {
	field := strings.TrimPrefix(key, "Mutation.")
	scopes := []string{""}
	if m.scoped {
		scopes = mxTargetScopes
	}
	targets := map[string]*mxTarget{}
	for _, r := range mxRoles {
		var missing *gqlResponse
		for _, sc := range scopes {
			if targets[sc] == nil {
				targets[sc] = x.target(cmp.Or(sc, mxOwn))
			}
			var vars map[string]any
			if m.vars != nil {
				vars = m.vars(targets[sc])
			}
			want := m.expect(r, sc)
			what := key + " as " + string(r)
			if sc != "" {
				what += " (target: " + sc + ")"
			}
			resp := x.mutate(t, what, r, m, m.op, field, vars, want)
			if len(resp.Errors) == 0 {
				targets[sc] = nil // used up: the next role gets a fresh one
			}
			switch {
			case sc == mxMissing:
				missing = resp
			case sc != "" && len(resp.Errors) > 0 && !m.reads(r, sc) && !mxSameAnswer(resp, missing):
				t.Errorf("%s: %s; a missing id gets %s: the answers must not differ", what, mxDescribe(resp), mxDescribe(missing))
			}
		}
	}
	if m.cross == nil {
		return
	}
	// The caller's own record, with further ids of records the caller may
	// not see: answered as if those ids existed nowhere, and nothing written.
	op := cmp.Or(m.crossOp, m.op)
	for _, r := range []mxRole{mxAdmin, mxClinician, mxSupervisor} {
		own := mxWrites[r][0]
		if m.scoped && m.expect(r, own) != "" || !m.scoped && m.expect(r, "") != "" {
			continue
		}
		var missing *gqlResponse
		for _, sc := range mxTargetScopes {
			if sc != mxMissing && slices.Contains(mxReads[r], sc) {
				continue
			}
			what := fmt.Sprintf("%s as %s (target: %s, further ids: %s)", key, r, own, sc)
			resp := x.mutate(t, what, r, m, op, field, m.cross(x.target(own), x.target(sc)), "*")
			if sc == mxMissing {
				missing = resp
				if c := resp.code(); c != "NOT_FOUND" && c != "BAD_USER_INPUT" {
					t.Errorf("%s: %s, want NOT_FOUND or BAD_USER_INPUT naming the field", what, mxDescribe(resp))
				}
			} else if len(resp.Errors) > 0 && !mxSameAnswer(resp, missing) {
				t.Errorf("%s: %s; a missing id gets %s: the answers must not differ", what, mxDescribe(resp), mxDescribe(missing))
			}
		}
	}
}

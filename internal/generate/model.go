package generate

import "time"

// The rows of the generated practice, held in memory before they are
// written. References between them are indexes into the planner's slices
// (-1 for none); the writer turns them into ids.

type userRow struct {
	email, role string
	active      bool
}

type clinicianRow struct {
	name, credentials string
	slots             int
	accepting         bool
	modalities        []string
	supervisor, user  int
}

type clientRow struct {
	first, last   string
	dob           time.Time // zero when unknown
	email, phone  string    // "" when unknown
	channel, freq string
	status        string
	clinician     int
	modality      string // "" when not set
	wantsEarlier  bool
	availability  string // JSON, "" when not set
	recurring     bool
	created       time.Time
	updated       time.Time
}

type caregiverRow struct {
	client             int
	name, relationship string
	phone, email       string
	primary, consent   bool
	created            time.Time
}

type episodeRow struct {
	client, clinician int
	opened, closed    time.Time // closed zero while open
	reason            string
}

type apptRow struct {
	client, clinician, episode int
	start, end                 time.Time
	kind, status               string
	minutesLate                int // -1: not recorded
	canceledBy                 string
	canceledAt                 time.Time
	cancelReason               string
	confirmedAt                time.Time
	reminderAt                 time.Time
	reminderChannel            string
	excused                    bool
	excuseReason               string
	series                     string
	filledFrom                 int
	created, updated           time.Time
}

// apptPlanned is an appointment while the planner still shapes it.
type apptPlanned struct {
	row  apptRow
	seat bool // in the client's own weekly slot (may be backfilled when late-cancelled)
	fill bool // took a cancelled session's slot: written after the sessions it may point at
}

type contactRow struct {
	client, clinician           int
	channel, direction, purpose string
	at                          time.Time
	billable                    int
	closeBy                     time.Time // zero unless a closure warning
	note                        string
}

type documentRow struct {
	kind                  string
	client, author        int
	appt, contact, amends int
	body, status          string
	signedAt              time.Time
	version               int
	created, updated      time.Time
}

type requestRow struct {
	clinician, count, assigned int
	note, status               string
	created, updated, closed   time.Time
}

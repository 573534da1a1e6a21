package fakepractice

import (
	"fmt"

	"github.com/caseload/caseload/ent/appointment"
	"github.com/caseload/caseload/ent/clientprofile"
	"github.com/caseload/caseload/ent/episode"
)

// Made-up clinical text and names.

var (
	concerns = []string{
		"generalized anxiety", "low mood", "work stress", "grief after a loss", "panic attacks", "relationship conflict",
		"sleep difficulties", "adjustment to a move", "social anxiety", "trauma symptoms", "parenting stress",
	}
	childConcerns = []string{"school avoidance", "anger outbursts", "anxiety at school", "sleep difficulties", "adjustment after a family change"}
	symptoms      = []string{"anxiety symptoms", "depressive symptoms", "panic attacks", "sleep problems", "conflict at home", "avoidance"}
	skills        = []string{"coping skills for stress", "healthy sleep routines", "assertive communication", "emotion regulation skills", "a support network"}
	moods         = []string{
		"a steadier week", "more worry ahead of a deadline", "better sleep", "a difficult conversation with family",
		"fewer panic episodes", "low energy and motivation", "progress with the exposure plan", "feeling more hopeful",
	}
	childMoods = []string{
		"a good week at school", "irritability at home", "worry about a test", "a fight with a sibling", "better sleep",
		"trouble getting to school on time",
	}
	focuses = []string{
		"identifying automatic thoughts", "grounding skills", "values clarification", "a graded exposure step",
		"sleep routines", "communication skills", "emotion regulation skills", "problem solving around work",
		"externalizing the problem", "scaling progress toward goals",
	}
	childFocuses = []string{
		"a feelings check-in game", "naming big feelings", "a calm-down plan", "grounding skills", "externalizing the problem",
		"communication at home", "a worry box exercise",
	}
	responses = []string{
		"engaged well", "was tearful at times but engaged", "practised the skill in session", "set a homework goal",
		"reported using last week's skill", "was guarded at first, then opened up",
	}
	nextSteps = []string{
		"continue as scheduled", "practise the skill daily and log it", "review the worksheet next session",
		"try one exposure step before next session", "keep the sleep log",
	}
	checkIns = []string{
		"Texted to say the breathing exercise helped this week.", "Asked whether the next session could be a little earlier.",
		"Shared that a stressful event went better than expected.", "Asked for the worksheet from last session.",
		"Let us know they started the new job.",
	}
	childCheckIns = []string{
		"Caregiver texted that the calm-down plan worked at bedtime.", "Caregiver asked for ideas to help with homework battles.",
		"Caregiver shared a good report from the teacher.", "Caregiver asked whether the next session could be after school.",
	}
	requests  = []string{"Asked for a letter confirming attendance for their employer.", "Billing question about a copay.", "Requested a copy of the intake forms."}
	partners  = []string{"psychiatric prescriber", "primary care physician", "case manager", "dietitian"}
	topics    = []string{"a medication change", "coordination of care", "recent sleep problems", "a release of information", "a safety plan update"}
	modalName = map[clientprofile.Modality]string{
		clientprofile.ModalityCBT: "CBT", clientprofile.ModalityDBT: "DBT skills", clientprofile.ModalityACT: "ACT",
		clientprofile.ModalitySFBT: "solution-focused", clientprofile.ModalityNARRATIVE: "narrative",
		clientprofile.ModalityPSYCHODYNAMIC: "psychodynamic", clientprofile.ModalityEMDR: "EMDR",
		clientprofile.ModalityFAMILY_SYSTEMS: "family systems", clientprofile.ModalityPLAY_THERAPY: "play therapy",
		clientprofile.ModalityOTHER: "integrative",
	}
)

func (c *clientPlan) approach() string {
	if c.modality == nil {
		return "integrative"
	}
	return modalName[*c.modality]
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}

// forAge picks from the child's list for a minor, else from the adult's.
func (p *planner) forAge(c *clientPlan, adult, child []string) string {
	if c.minor(p.today) {
		return pick(p, child)
	}
	return pick(p, adult)
}

func (p *planner) progressBody(c *clientPlan, a *apptPlan) string {
	s := fmt.Sprintf("Client reported %s. Session focused on %s (%s). Client %s. Risk: denies SI/HI. Plan: %s.",
		p.forAge(c, moods, childMoods), p.forAge(c, focuses, childFocuses), c.approach(), pick(p, responses), pick(p, nextSteps))
	if a.kind == appointment.KindFAMILY || (len(c.caregivers) > 0 && p.chance(0.3)) {
		s = "Caregiver joined for part of the session. " + s
	}
	return s
}

func (p *planner) intakeBody(c *clientPlan) string {
	return fmt.Sprintf("Intake assessment. Presenting concern: %s. History reviewed; no acute risk identified. Recommended %s sessions with a %s approach. Attendance policy explained.",
		p.forAge(c, concerns, childConcerns), frequencyWord(c.freq), c.approach())
}

func (p *planner) planBody(c *clientPlan) string {
	return fmt.Sprintf("Treatment plan. Goal 1: reduce %s (self-report scale every 4 weeks). Goal 2: build %s. Frequency: %s. No-show and late-cancellation policy reviewed and signed.",
		pick(p, symptoms), pick(p, skills), frequencyWord(c.freq))
}

func (p *planner) reviewBody(c *clientPlan) string {
	return fmt.Sprintf("Treatment plan review. Goal 1: %s. Goal 2: %s. Attendance and the no-show policy revisited with the client. Plan: %s.",
		pick(p, []string{"partly met", "progressing", "met", "slow progress"}), pick(p, []string{"progressing", "met", "revised"}), pick(p, nextSteps))
}

func (p *planner) terminationBody(reason episode.CloseReason) string {
	why := map[episode.CloseReason]string{
		episode.CloseReasonINACTIVE:       "no sessions or contact for over 30 days after a closure warning",
		episode.CloseReasonSTRIKES:        "three no-shows or late cancellations (attendance policy)",
		episode.CloseReasonGOALS_MET:      "treatment goals met",
		episode.CloseReasonCLIENT_REQUEST: "ended at the client's request",
		episode.CloseReasonTRANSFERRED:    "transferred to a higher level of care",
		episode.CloseReasonOTHER:          "client relocated",
	}[reason]
	return fmt.Sprintf("Termination summary. Reason: %s. Progress summarized; referrals and how to return were discussed or sent in writing.", why)
}

func contactBody(with, about string, minutes int) string {
	return fmt.Sprintf("Care coordination with the %s regarding %s; %d minutes. Release of information on file.", with, about, minutes)
}

func frequencyWord(f clientprofile.SessionFrequency) string {
	switch f {
	case clientprofile.SessionFrequencyWEEKLY:
		return "weekly"
	case clientprofile.SessionFrequencyBIWEEKLY:
		return "every-other-week"
	case clientprofile.SessionFrequencyMONTHLY:
		return "monthly"
	}
	return "as-needed"
}

// Names are made up from common given names and surnames of many origins.
var firstNames = []string{
	"Aaliyah", "Abdi", "Adaeze", "Aiko", "Alejandro", "Amir", "Ana", "Andrei", "Anjali", "Ari", "Aroha", "Bao", "Beatriz",
	"Caleb", "Camille", "Carmen", "Chidi", "Chloe", "Dara", "Darnell", "Deepa", "Diego", "Dmitri", "Elif", "Elliot", "Emeka",
	"Esperanza", "Ethan", "Fatima", "Finn", "Gabriela", "Grace", "Hamza", "Hana", "Harper", "Imani", "Ingrid", "Isaac",
	"Jamal", "Javier", "Jin", "June", "Kai", "Kalani", "Kenji", "Lakshmi", "Leila", "Liam", "Lucia", "Malik", "Marcus",
	"Mariam", "Marisol", "Mateo", "Maya", "Mei", "Mikaela", "Nadia", "Naveen", "Nia", "Noah", "Noor", "Oksana", "Olu",
	"Omar", "Owen", "Paolo", "Priyanka", "Quentin", "Rafael", "Rania", "Reza", "Rosa", "Rui", "Ruth", "Samira", "Santiago",
	"Sanjay", "Sofia", "Tariq", "Tatiana", "Tessa", "Thandiwe", "Theo", "Tomasz", "Valentina", "Wei", "Xochitl", "Yara",
	"Yusuf", "Zainab", "Zoe",
}

var lastNames = []string{
	"Abara", "Acosta", "Adeyemi", "Ahmadi", "Alvarez", "Andersen", "Baptiste", "Barros", "Begay", "Bergstrom", "Bhatt",
	"Brennan", "Calloway", "Castillo", "Chen", "Dang", "Delgado", "Demir", "Donovan", "Dubois", "Eriksen", "Esposito",
	"Farouk", "Fitzgerald", "Gallagher", "Garza", "Goldberg", "Haddad", "Hakimi", "Hollis", "Holloway", "Ibarra", "Iwasaki",
	"Jablonski", "Jovanovic", "Kaur", "Kealoha", "Kim", "Kowalczyk", "Laine", "Lindqvist", "Lopez", "Mahlangu", "Marchetti",
	"Mbatha", "Mendoza", "Moreau", "Nakamura", "Nair", "Novak", "Nwosu", "Obi", "Oliveira", "Ortega", "Osei", "Park",
	"Petrov", "Quintero", "Rahman", "Ramos", "Reddy", "Rinaldi", "Rossi", "Sahin", "Salazar", "Santos", "Sato", "Schmidt",
	"Shapiro", "Silva", "Sokolov", "Suleiman", "Tan", "Thornton", "Torres", "Tran", "Tsosie", "Usman", "Valdez", "Vance",
	"Varga", "Vu", "Whitfield", "Wojcik", "Yamamoto", "Yazzie", "Yilmaz", "Young", "Zapata", "Zhou", "Zielinski",
}

package schema

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Modalities are the therapy modalities a client is treated with.
var Modalities = []string{"CBT", "DBT", "ACT", "SFBT", "NARRATIVE", "PSYCHODYNAMIC", "EMDR", "FAMILY_SYSTEMS", "PLAY_THERAPY", "OTHER"}

func validModalities(values []string) error {
	for _, v := range values {
		if !slices.Contains(Modalities, v) {
			return fmt.Errorf("unknown modality %q (one of %s)", v, strings.Join(Modalities, ", "))
		}
	}
	return nil
}

func validEmail(s string) error {
	at := strings.IndexByte(s, '@')
	if at < 1 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n<>,;") {
		return errors.New("must be an email address such as name@example.org")
	}
	return nil
}

func validLoginEmail(s string) error {
	if err := validEmail(s); err != nil {
		return err
	}
	if s != strings.ToLower(s) {
		return errors.New("must be lower case")
	}
	return nil
}

func validPhone(s string) error {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-(). ", r):
		default:
			return errors.New(`may hold only digits, spaces, "+", "-", "(", ")" and "."`)
		}
	}
	if digits < 7 || digits > 15 {
		return errors.New("must have 7 to 15 digits")
	}
	return nil
}

// validName refuses a name of only spaces: NotEmpty lets "  " through, and
// a blank name reads as a missing one in every list.
func validName(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("must not be blank")
	}
	return nil
}

// nameFields are the columns holding a person's or a practice's name,
// trimmed of surrounding spaces on every write (TimeMixin's hook).
var nameFields = []string{"first_name", "last_name", "name", "relationship", "credentials"}

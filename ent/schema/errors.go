package schema

import "errors"

var errEmptyTimeZone = errors.New("time zone must be an IANA name such as America/New_York")

package main

import (
	"testing"

	"github.com/caseload/caseload/internal/auth/authtest"
)

// TestMain lowers the bcrypt cost: see authtest.Main.
func TestMain(m *testing.M) { authtest.Main(m) }

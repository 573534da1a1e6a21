// Package archtest holds no code, only the test that keeps Caseload's layers
// apart: which package may import what (see deps_test.go and
// ARCHITECTURE.md).
package archtest

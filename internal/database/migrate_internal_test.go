package database

import (
	"fmt"
	"testing"

	atlas "ariga.io/atlas/sql/schema"
)

func TestWithoutIndexRebuilds(t *testing.T) {
	col := func(name string) *atlas.IndexPart { return &atlas.IndexPart{C: &atlas.Column{Name: name}} }
	idx := func(name string, unique bool, cols ...string) *atlas.Index {
		i := &atlas.Index{Name: name, Unique: unique}
		for _, c := range cols {
			i.Parts = append(i.Parts, col(c))
		}
		return i
	}
	note := idx("one_note", true, "appointment_id", "kind")
	for _, c := range []struct {
		name    string
		changes []atlas.Change
		kept    int
	}{
		{"a predicate's text, as drop and add", []atlas.Change{&atlas.DropIndex{I: note}, &atlas.AddIndex{I: idx("one_note", true, "appointment_id", "kind")}}, 0},
		{"a predicate's text, as a modification", []atlas.Change{&atlas.ModifyIndex{From: note, To: idx("one_note", true, "appointment_id", "kind"), Change: atlas.ChangeAttr}}, 0},
		{"a new index", []atlas.Change{&atlas.AddIndex{I: idx("contact_id", false, "contact_id")}}, 1},
		{"an index dropped", []atlas.Change{&atlas.DropIndex{I: note}}, 1},
		{"other columns", []atlas.Change{&atlas.DropIndex{I: note}, &atlas.AddIndex{I: idx("one_note", true, "appointment_id")}}, 2},
		{"no longer unique", []atlas.Change{&atlas.DropIndex{I: note}, &atlas.AddIndex{I: idx("one_note", false, "appointment_id", "kind")}}, 2},
		{"uniqueness modified", []atlas.Change{&atlas.ModifyIndex{From: note, To: idx("one_note", false, "appointment_id", "kind"), Change: atlas.ChangeUnique}}, 1},
		{"a column added beside", []atlas.Change{&atlas.AddColumn{C: &atlas.Column{Name: "x"}}, &atlas.DropIndex{I: note}, &atlas.AddIndex{I: idx("one_note", true, "appointment_id", "kind")}}, 1},
	} {
		got := withoutIndexRebuilds(c.changes)
		if len(got) != c.kept {
			t.Errorf("%s: kept %d changes (%s), want %d", c.name, len(got), fmt.Sprint(got), c.kept)
		}
	}
}

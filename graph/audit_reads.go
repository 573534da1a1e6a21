package graph

import (
	"reflect"

	"github.com/caseload/caseload/ent"
)

// read notes a PHI field read from the record parent. The parent is what
// gqlgen resolved the field on: the record itself, or, for an element of a
// list (Client.caregivers, nodes(ids:), rankedClients), a pointer to the
// list's element, which may itself be a pointer or an interface (ent.Noder).
func (a *auditLog) read(object, field string, parent any) {
	var k readKey
	var e readEvent
	switch p := record(parent).(type) {
	case *ent.ClientProfile:
		k, e = readKey{"readClientIdentity", p.ID}, readEvent{entityType: "Client", entityID: p.ID, clientID: p.ID}
	case *ent.Caregiver:
		// A caregiver's contact details are part of the client's identity.
		k, e = readKey{"readClientIdentity", p.ClientID}, readEvent{entityType: "Client", entityID: p.ClientID, clientID: p.ClientID}
	case *ent.Document:
		k, e = readKey{"readDocumentBody", p.ID}, readEvent{entityType: "Document", entityID: p.ID, clientID: p.ClientID}
	case *ent.Contact:
		k, e = readKey{"readContactNote", p.ID}, readEvent{entityType: "Contact", entityID: p.ID, clientID: p.ClientID}
	case *ent.Appointment:
		k, e = readKey{"readAppointmentReason", p.ID}, readEvent{entityType: "Appointment", entityID: p.ID, clientID: p.ClientID}
	case *ent.NewClientRequest:
		k, e = readKey{"readNewClientRequestNote", p.ID}, readEvent{entityType: "NewClientRequest", entityID: p.ID}
	default:
		return // payloads of mutations, which are audited as such
	}
	name := object + "." + field
	a.mu.Lock()
	defer a.mu.Unlock()
	ev, ok := a.reads[k]
	if !ok {
		e.action = k.action
		ev = &e
		a.reads[k] = ev
		a.order = append(a.order, k)
	}
	for _, f := range ev.fields {
		if f == name {
			return
		}
	}
	ev.fields = append(ev.fields, name)
}

// record looks through pointers to pointers and interfaces, as gqlgen hands
// an element of a list, to the record.
func record(v any) any {
	for v != nil {
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Pointer || rv.IsNil() {
			return v
		}
		switch rv.Elem().Kind() {
		case reflect.Pointer, reflect.Interface:
			if rv.Elem().IsNil() {
				return nil
			}
			v = rv.Elem().Interface()
		default:
			return v
		}
	}
	return v
}

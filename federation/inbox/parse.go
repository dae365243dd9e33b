package inbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// Limits on the shape of incoming JSON, checked before anything builds
// objects from it: a document nested 100,000 deep, an array of 100,000
// tags or an object of 60,000 keys is refused in one cheap pass. A real
// activity has a few dozen keys; a Note with its tags, mentions, emoji and
// attachments a few hundred.
const (
	maxDepth      = 32
	maxArrayItems = 1000
	maxKeys       = 4000
)

var errShape = errors.New("document too deep or too wide")

// checkShape walks the JSON tokens once, refusing deep nesting and long
// arrays and anything that is not one JSON object.
func checkShape(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct {
		array bool
		items int // tokens at this level: items of an array, keys and values of an object
	}
	var stack []frame
	first, keys := true, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("invalid JSON: %w", err)
		}
		if first {
			if d, ok := tok.(json.Delim); !ok || d != '{' {
				return errors.New("invalid JSON: not an object")
			}
			first = false
		}
		d, isDelim := tok.(json.Delim)
		if top := len(stack) - 1; top >= 0 && !(isDelim && (d == '}' || d == ']')) {
			// A token in an array is an item; in an object, tokens
			// alternate between a key and its value (whose own tokens,
			// if it is an object or array, sit in a frame of their own).
			f := &stack[top]
			f.items++
			switch {
			case f.array && f.items > maxArrayItems:
				return errShape
			case !f.array && f.items%2 == 1:
				if keys++; keys > maxKeys {
					return errShape
				}
			}
		}
		if isDelim {
			switch d {
			case '{', '[':
				stack = append(stack, frame{array: d == '['})
				if len(stack) > maxDepth {
					return errShape
				}
			case '}', ']':
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					if dec.More() {
						return errors.New("invalid JSON: trailing data")
					}
				}
			}
		}
	}
	if first || len(stack) != 0 {
		return errors.New("invalid JSON: truncated")
	}
	return nil
}

// Activity is an incoming activity reduced to what we act on. Type holds
// the parsed go-fed value for type-specific fields.
type Activity struct {
	ID       string
	Type     string
	Actor    string
	ObjectID string     // the object's id, whether given as a link or embedded
	Object   vocab.Type // the embedded object, nil when only linked
	Value    vocab.Type
	Raw      map[string]any
}

// errUnsupported marks well-formed activities of types we do not handle.
// It always comes with an Activity whose ID, Type and Actor are set, so
// that the activity can still be verified and recorded.
var errUnsupported = errors.New("unsupported activity type")

// parseActivity checks the shape of body and reads it with go-fed's
// streams vocabulary. A document that is not an activity (a bare Note, an
// actor) is an error: it has no actor to check the signature against.
func parseActivity(ctx context.Context, body []byte) (*Activity, error) {
	if err := checkShape(body); err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	t, err := toType(ctx, raw)
	if err != nil {
		typ, _ := raw["type"].(string)
		id, _ := raw["id"].(string)
		actor, _ := raw["actor"].(string)
		if typ != "" && isHTTPURL(id) && isHTTPURL(actor) {
			// A type outside the vocabulary (EmojiReact, Flag…): still
			// an activity we must answer politely.
			return &Activity{ID: id, Type: typ, Actor: actor, Raw: raw}, errUnsupported
		}
		return nil, fmt.Errorf("not an ActivityStreams activity: %w", err)
	}
	a := &Activity{Type: t.GetTypeName(), Value: t, Raw: raw}
	if id := t.GetJSONLDId(); id != nil && id.Get() != nil {
		a.ID = id.Get().String()
	}
	if a.ID == "" || !isHTTPURL(a.ID) {
		return nil, errors.New("activity has no valid id")
	}
	act, ok := t.(actorer)
	if !ok {
		return nil, fmt.Errorf("%s is not an activity", a.Type)
	}
	a.Actor = firstID(act.GetActivityStreamsActor())
	if a.Actor == "" || !isHTTPURL(a.Actor) {
		return nil, errors.New("activity has no valid actor")
	}
	if obj, ok := t.(objecter); ok {
		if p := obj.GetActivityStreamsObject(); p != nil && p.Len() > 0 {
			it := p.At(0)
			if it.IsIRI() {
				a.ObjectID = it.GetIRI().String()
			} else if ot := it.GetType(); ot != nil {
				a.Object = ot
				a.ObjectID = typeID(ot)
			}
		}
	}
	return a, nil
}

type actorer interface {
	GetActivityStreamsActor() vocab.ActivityStreamsActorProperty
}

type objecter interface {
	GetActivityStreamsObject() vocab.ActivityStreamsObjectProperty
}

type attributedToer interface {
	GetActivityStreamsAttributedTo() vocab.ActivityStreamsAttributedToProperty
}

// idIterator is the common shape of go-fed's property iterators that can
// hold a link or an embedded object.
type idIterator interface {
	IsIRI() bool
	GetIRI() *url.URL
	GetType() vocab.Type
}

// firstID returns the id of the first value of an actor-like property.
func firstID(p interface {
	Len() int
	At(int) vocab.ActivityStreamsActorPropertyIterator
}) string {
	if p == nil || p.Len() == 0 {
		return ""
	}
	return iterID(p.At(0))
}

func iterID(it idIterator) string {
	if it.IsIRI() {
		return it.GetIRI().String()
	}
	if t := it.GetType(); t != nil {
		return typeID(t)
	}
	return ""
}

func typeID(t vocab.Type) string {
	if id := t.GetJSONLDId(); id != nil && id.Get() != nil {
		return id.Get().String()
	}
	return ""
}

// attributedTo returns the first author of an object.
func attributedTo(t vocab.Type) string {
	a, ok := t.(attributedToer)
	if !ok || a.GetActivityStreamsAttributedTo() == nil || a.GetActivityStreamsAttributedTo().Len() == 0 {
		return ""
	}
	return iterID(a.GetActivityStreamsAttributedTo().At(0))
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// toType reads a JSON-LD map into a go-fed value.
var toType = streams.ToType

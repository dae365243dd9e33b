package newsroom

import "testing"

func TestSuggestHandle(t *testing.T) {
	for name, want := range map[string]string{
		"Emmaüs Connect":                     "emmaus-connect",
		"  Secours populaire — Fédération  ": "secours-populaire-federation",
		"L'Œuvre des Cœurs":                  "l-oeuvre-des-coeurs",
		"Straße & Ærø":                       "strasse-aero",
		"ÉCOLE 42":                           "ecole-42",
		"Ça va ?":                            "ca-va",
		"日本":                                 "",
		"":                                   "",
	} {
		got := SuggestHandle(name)
		if got != want {
			t.Errorf("SuggestHandle(%q) = %q, want %q", name, got, want)
		}
		if got != "" && !handleRE().MatchString(got) {
			t.Errorf("SuggestHandle(%q) = %q, which is not a valid handle", name, got)
		}
	}
	long := SuggestHandle("Association des amis de la bibliothèque municipale de Saint-Rémy-de-Provence et environs")
	if len(long) > 64 || !handleRE().MatchString(long) {
		t.Errorf("long name gave %q (%d bytes)", long, len(long))
	}
}

func TestCompleteWebsite(t *testing.T) {
	for in, want := range map[string]string{
		"emmaus-connect.org":          "https://emmaus-connect.org/",
		" www.emmaus-connect.org ":    "https://www.emmaus-connect.org/",
		"emmaus-connect.org/agenda":   "https://emmaus-connect.org/agenda",
		"emmaus-connect.org?lang=fr":  "https://emmaus-connect.org/?lang=fr",
		"http://emmaus-connect.org":   "http://emmaus-connect.org/",
		"https://emmaus-connect.org/": "https://emmaus-connect.org/",
		"":                            "",
		"emmaus connect":              "emmaus connect",
		"contact@emmaus-connect.org":  "contact@emmaus-connect.org",
		"localhost":                   "https://localhost/",
		"javascript:alert(1)":         "javascript:alert(1)",
	} {
		if got := CompleteWebsite(in); got != want {
			t.Errorf("CompleteWebsite(%q) = %q, want %q", in, got, want)
		}
	}
	// What it completes passes the organisation's validation.
	o := Organisation{Handle: "emmaus-connect", Name: "Emmaüs Connect", ActorType: ActorOrganization,
		DefaultObjectType: ObjectAuto, DefaultLang: "fr", Website: CompleteWebsite("emmaus-connect.org")}
	if err := o.Validate(); err != nil {
		t.Errorf("completed website refused: %v", err)
	}
}

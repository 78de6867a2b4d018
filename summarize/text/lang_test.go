package text

import "testing"

func TestDetectLanguage(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"short French", "Le chat dort sur le canapé.", "fr"},
		{"French", "Les ministres des Affaires étrangères se sont mis d’accord sur un ensemble de mesures.", "fr"},
		{"English", "The foreign ministers agreed on a package of measures against sabotage.", "en"},
		{"German", "Die Außenminister haben sich auf ein Maßnahmenpaket gegen Sabotage geeinigt.", "de"},
		{"Spanish", "Los ministros de Asuntos Exteriores acordaron un paquete de medidas contra el sabotaje.", "es"},
		{"Italian", "I ministri degli Esteri hanno concordato un pacchetto di misure contro il sabotaggio.", "it"},
		{"Portuguese", "Os ministros dos Negócios Estrangeiros acordaram um pacote de medidas contra a sabotagem.", "pt"},
		{"Dutch", "De ministers van Buitenlandse Zaken zijn het eens geworden over een pakket maatregelen tegen sabotage.", "nl"},
		{"Russian", "Министры иностранных дел договорились о пакете мер против саботажа.", ""},
		{"Chinese", "外交部长们就一揽子反破坏措施达成了一致。", ""},
		{"Japanese", "外務大臣たちは妨害行為に対する一連の措置で合意した。", ""},
		{"Arabic", "اتفق وزراء الخارجية على حزمة من الإجراءات ضد التخريب.", ""},
		{"too short", "Oui.", ""},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DetectLanguage(tc.in); got != tc.want {
				t.Errorf("DetectLanguage(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestDetectLanguageSeedArticle(t *testing.T) {
	if got := DetectLanguage(readSeedArticle(t)); got != "fr" {
		t.Errorf("DetectLanguage(seed article) = %q, want fr", got)
	}
}

func TestSupported(t *testing.T) {
	for _, lang := range []string{"en", "fr", "de", "es", "it", "pt", "nl"} {
		if !Supported(lang) {
			t.Errorf("Supported(%q) = false", lang)
		}
	}
	for _, lang := range []string{"", "ru", "zh", "FR", "english"} {
		if Supported(lang) {
			t.Errorf("Supported(%q) = true", lang)
		}
	}
}

func TestMostlyLatin(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want bool
	}{
		{"Le chat dort sur le canapé.", true},
		{"Кошка спит на диване.", false},
		{"北约外长在布鲁塞尔举行会议。", false},
		{"NATO: Кошка спит на диване весь день.", false},
		{"12345 !!!", false},
	} {
		if got := MostlyLatin(tt.s); got != tt.want {
			t.Errorf("MostlyLatin(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestIdentifyLanguage(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"Russian", "Министры иностранных дел договорились о пакете мер против саботажа на встрече в Брюсселе.", "ru"},
		{"Chinese", "北约外长在布鲁塞尔举行为期两天的会议。秘书长呼吁盟国增加对乌克兰的军事援助。", "zh"},
		{"Japanese", "外務大臣たちは妨害行為に対する一連の措置で合意した。", "ja"},
		{"Arabic", "اتفق وزراء الخارجية على حزمة من الإجراءات ضد التخريب في اجتماع بروكسل.", "ar"},
		{"Polish", "Ministrowie spraw zagranicznych uzgodnili pakiet środków przeciwko sabotażowi podczas spotkania w Brukseli.", "pl"},
		{"French", "Les ministres des Affaires étrangères se sont mis d’accord sur un ensemble de mesures.", "fr"},
		{"too short", "Oui.", ""},
		{"digits", "12345 67890", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IdentifyLanguage(tc.in); got != tc.want {
				t.Errorf("IdentifyLanguage(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

package text

import "strings"

// abbrevKind says what a word followed by a full stop is, for the
// sentence splitter.
type abbrevKind uint8

const (
	// notAbbrev: the full stop may end the sentence.
	notAbbrev abbrevKind = iota //nolint:unused // names the zero value: words not in the table
	// titleAbbrev comes before a name or a word and never ends a sentence
	// ("M. Dupont", "Dr. Who", "e.g. Paris", "vs. Chelsea").
	titleAbbrev
	// numberAbbrev comes before a number ("No. 5", "p. 12", "janv. 2024");
	// before anything else its full stop may end the sentence, so the
	// French numeral "sept." still does.
	numberAbbrev
)

// abbreviations are the words, as written before their full stop, that
// the splitter must not take for a sentence end. One table serves all
// languages: the entries are chosen not to collide with ordinary words
// of the seven languages (no "op", "on", "da", "al"). Single letters and
// dotted initialisms ("U.S", "z.B") are recognised by shape, not listed.
var abbreviations = buildAbbreviations(map[abbrevKind]string{
	titleAbbrev: `
		M MM Mme Mmes Mlle Mlles Mgr Me Pr Dr Dre Drs Mr Mrs Ms Mx Messrs Prof Profa
		St Ste Sts Gen Gov Sen Rep Lt Col Capt Sgt Cpl Maj Adm Cmdr Rev Hon Supt Insp Det Mt
		Hr Hrn Fr Dipl Ing Sr Sra Srta Sres Sras Dña Ud Uds Vd Vds Lic Excmo Exmo Exma Ilmo
		Sig Sig.ra Sigg Dott Dott.ssa Avv Geom Rag Mons Dhr Mevr Mw Ir dhr mevr mw mr dr drs ing prof
		e.g i.e cf Cf vs Vs viz approx Approx ex p.ex bzw Bzw vgl Vgl sog ggf evtl bspw
		inkl zzgl bijv Bijv resp
		`,
	numberAbbrev: `
		No no Nos nos Nr nr Nº nº pp Vol vol Bd ch Ch chap Fig fig Art art Abs Anm Tel tel Ziff Kap
		pag pág Pag Pág blz Blz ca Ca env Env
		Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Okt Dez
		jan feb mar apr jun jul aug sep sept oct nov dec okt dez
		janv févr fév avr juil déc Janv Févr Fév Avr Juil Déc
		ene abr dic gen febbr giu lug ott
		`,
})

func buildAbbreviations(lists map[abbrevKind]string) map[string]abbrevKind {
	table := make(map[string]abbrevKind)
	for kind, words := range lists {
		for _, w := range strings.Fields(words) {
			table[w] = kind
		}
	}
	return table
}

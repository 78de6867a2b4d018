package digest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/robfig/cron/v3"
)

// ErrBadSchedule marks a schedule the user typed wrong. Errors wrapping it
// carry a message that is safe to show: what is wrong, and an example that
// works.
var ErrBadSchedule = errors.New("bad schedule")

// ScheduleError is a schedule parse error; its message is user-safe.
type ScheduleError struct{ msg string }

func (e *ScheduleError) Error() string { return e.msg }

// Is makes errors.Is(err, ErrBadSchedule) true.
func (e *ScheduleError) Is(target error) bool { return target == ErrBadSchedule }

func badSchedule(format string, args ...any) error {
	return &ScheduleError{msg: fmt.Sprintf(format, args...)}
}

// Schedule kinds.
const (
	KindDaily    = "daily"
	KindWeekdays = "weekdays"
	KindWeekly   = "weekly"
	KindCron     = "cron"
)

// MinInterval is the shortest time allowed between two slots of a
// schedule: a digest is a summary of a period, not a live feed.
const MinInterval = time.Hour

// maxScheduleLen bounds what the parser reads.
const maxScheduleLen = 200

const examples = "`daily 09:00`, `weekdays 08:30`, `weekly mon 09:00` or a cron expression like `0 9 * * 1-5`, optionally followed by `tz Europe/Paris`"

// Schedule says when a channel's digest is posted: wall-clock slots in an
// IANA time zone. The zero value is not a schedule; use ParseSchedule.
type Schedule struct {
	kind         string
	hour, minute int
	weekday      time.Weekday
	expr         string // the cron expression (canonical for the other kinds)
	loc          *time.Location
	// wall is evaluated on wall-clock readings written in UTC, where
	// every minute exists exactly once; Next maps its answers to instants
	// in loc.
	wall cron.Schedule
}

// cronParser reads standard five-field expressions and the @daily-style
// descriptors.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule reads what follows "digest": "daily 09:00", "weekdays
// 08:30", "weekly mon 09:00", a five-field cron expression (optionally
// after the word "cron"), each optionally followed by "tz <IANA zone>".
// defaultZone is used without tz ("" means UTC): the workspace's zone when
// the platform tells it. Errors wrap ErrBadSchedule and are user-safe.
func ParseSchedule(text, defaultZone string) (Schedule, error) {
	if len(text) > maxScheduleLen {
		return Schedule{}, badSchedule("That schedule is too long. Try %s.", examples)
	}
	words := strings.Fields(strings.NewReplacer("`", " ", "\"", " ", "“", " ", "”", " ").Replace(text))
	zone := defaultZone
	for i, w := range words {
		lw := strings.ToLower(w)
		if lw == "tz" || strings.HasPrefix(lw, "tz=") || strings.HasPrefix(lw, "tz:") {
			rest := words[i+1:]
			if len(lw) > 3 {
				rest = append([]string{w[3:]}, rest...)
			}
			if len(rest) != 1 {
				return Schedule{}, badSchedule("Put one time zone at the end, like `daily 09:00 tz Europe/Paris`.")
			}
			zone, words = rest[0], words[:i]
			break
		}
	}
	loc, err := loadZone(zone)
	if err != nil {
		return Schedule{}, err
	}
	if len(words) == 0 {
		return Schedule{}, badSchedule("Say when the digest should be posted: %s.", examples)
	}
	s := Schedule{loc: loc, kind: strings.ToLower(words[0])}
	args := words[1:]
	switch s.kind {
	case KindDaily, KindWeekdays, KindWeekly:
		want, example := 1, s.kind+" 09:00"
		if s.kind == KindWeekly {
			want, example = 2, "weekly mon 09:00"
		}
		if len(args) != want {
			return Schedule{}, badSchedule("Say %s like this: `%s`.", s.kind, example)
		}
		if s.kind == KindWeekly {
			if s.weekday, err = parseWeekday(args[0]); err != nil {
				return Schedule{}, err
			}
			args = args[1:]
		}
		if s.hour, s.minute, err = parseClock(args[0], s.kind); err != nil {
			return Schedule{}, err
		}
		switch s.kind {
		case KindDaily:
			s.expr = fmt.Sprintf("%d %d * * *", s.minute, s.hour)
		case KindWeekdays:
			s.expr = fmt.Sprintf("%d %d * * 1-5", s.minute, s.hour)
		default:
			s.expr = fmt.Sprintf("%d %d * * %d", s.minute, s.hour, s.weekday)
		}
	default:
		if s.kind == KindCron {
			words = args
		}
		s.kind = KindCron
		s.expr = strings.Join(words, " ")
		if err := checkCronText(s.expr); err != nil {
			return Schedule{}, err
		}
	}
	s.wall, err = cronParser.Parse(s.expr)
	if err != nil {
		if s.kind != KindCron { // built above from checked parts
			return Schedule{}, fmt.Errorf("schedule %q: %w", s.expr, err)
		}
		return Schedule{}, badSchedule("`%s` is not a cron expression I can read (%s). Use five fields, minute hour day-of-month month day-of-week, like `0 9 * * 1-5` for 09:00 on weekdays.",
			s.expr, strings.TrimPrefix(err.Error(), "failed to parse int from "))
	}
	if err := checkFrequency(s); err != nil {
		return Schedule{}, err
	}
	return s, nil
}

// loadZone loads an IANA zone; "" and "UTC" are UTC. Local is refused: a
// schedule must not change with the server's setting.
func loadZone(name string) (*time.Location, error) {
	if name == "" || strings.EqualFold(name, "utc") {
		return time.UTC, nil
	}
	bad := badSchedule("`%s` is not a time zone I know. Use an IANA name, like `daily 09:00 tz Europe/Paris` or `tz America/New_York`.", clip(name, 40))
	if strings.EqualFold(name, "local") || !utf8.ValidString(name) {
		return nil, bad
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, bad
	}
	return loc, nil
}

func checkCronText(expr string) error {
	lower := strings.ToLower(expr)
	switch {
	case strings.HasPrefix(lower, "tz=") || strings.HasPrefix(lower, "cron_tz="):
		return badSchedule("Give the time zone after the expression, like `0 9 * * 1-5 tz Europe/Paris`.")
	case strings.HasPrefix(lower, "@every"):
		return badSchedule("`@every` counts from when the bot started, not from the clock. Use a time of day, like `daily 09:00` or `0 9,17 * * *`.")
	case strings.HasPrefix(lower, "@"):
		return nil
	case len(strings.Fields(expr)) != 5:
		return badSchedule("I don't understand `%s`. Try %s.", clip(expr, 60), examples)
	}
	return nil
}

// checkFrequency refuses expressions that never fire or fire more often
// than MinInterval, judged on the slots of a year and more from a fixed
// date.
func checkFrequency(s Schedule) error {
	t := time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)
	prev := time.Time{}
	for range 500 {
		next := s.wall.Next(t)
		if next.IsZero() {
			break
		}
		if !prev.IsZero() && next.Sub(prev) < MinInterval {
			return badSchedule("`%s` would post a digest every %s; digests can be at most hourly. Try `0 9,17 * * *` for 09:00 and 17:00.", s.expr, next.Sub(prev))
		}
		prev, t = next, next
	}
	if prev.IsZero() {
		return badSchedule("`%s` never matches a date. Try `0 9 * * 1` for Mondays at 09:00.", s.expr)
	}
	return nil
}

// parseClock reads 9:00, 09:00, 9h, 9h30 or 21.15.
func parseClock(w, kind string) (int, int, error) {
	lw := strings.ToLower(w)
	bad := badSchedule("`%s` is not a time of day. Use 24-hour HH:MM, like `%s 09:00`.", clip(w, 20), kind)
	h, m, found := strings.Cut(lw, ":")
	if !found {
		h, m, found = strings.Cut(lw, "h")
	}
	if !found {
		h, m, _ = strings.Cut(lw, ".")
	}
	if m == "" && strings.Contains(lw, "h") {
		m = "0"
	}
	if len(h) == 0 || len(h) > 2 || len(m) == 0 || len(m) > 2 {
		return 0, 0, bad
	}
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hour < 0 || hour > 23 || minute < 0 || minute > 59 {
		return 0, 0, bad
	}
	return hour, minute, nil
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "weds": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

func parseWeekday(w string) (time.Weekday, error) {
	if d, ok := weekdays[strings.ToLower(w)]; ok {
		return d, nil
	}
	return 0, badSchedule("`%s` is not a day of the week. Use mon, tue, wed, thu, fri, sat or sun, like `weekly mon 09:00`.", clip(w, 20))
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// IsZero reports whether s is the zero Schedule (no schedule).
func (s Schedule) IsZero() bool { return s.wall == nil }

// Location is the schedule's time zone.
func (s Schedule) Location() *time.Location { return s.loc }

// String renders the schedule in the form ParseSchedule reads back, time
// zone included: "daily 09:00 tz Europe/Paris".
func (s Schedule) String() string {
	if s.IsZero() {
		return ""
	}
	var what string
	switch s.kind {
	case KindDaily, KindWeekdays:
		what = fmt.Sprintf("%s %02d:%02d", s.kind, s.hour, s.minute)
	case KindWeekly:
		what = fmt.Sprintf("weekly %s %02d:%02d", strings.ToLower(s.weekday.String()[:3]), s.hour, s.minute)
	default:
		what = "cron " + s.expr
	}
	return what + " tz " + s.loc.String()
}

// Describe says the schedule in words: "every day at 09:00 (Europe/Paris)".
func (s Schedule) Describe() string {
	switch s.kind {
	case KindDaily:
		return fmt.Sprintf("every day at %02d:%02d (%s)", s.hour, s.minute, s.loc)
	case KindWeekdays:
		return fmt.Sprintf("on weekdays at %02d:%02d (%s)", s.hour, s.minute, s.loc)
	case KindWeekly:
		return fmt.Sprintf("every %s at %02d:%02d (%s)", s.weekday, s.hour, s.minute, s.loc)
	case KindCron:
		return fmt.Sprintf("on the cron schedule `%s` (%s)", s.expr, s.loc)
	}
	return "never"
}

// FormatLocal renders an instant in the schedule's zone, for "next run".
func (s Schedule) FormatLocal(t time.Time) string {
	return t.In(s.loc).Format("Mon 2 Jan 2006, 15:04 MST")
}

// Next returns the first slot strictly after after, or the zero time when
// there is none within five years.
//
// Slots are wall-clock times in the schedule's zone, and each wall-clock
// slot fires at most once a day even where daylight saving time makes it
// ambiguous or absent:
//
//   - A slot in the hour skipped when clocks go forward (02:30 on the last
//     Sunday of March in Europe/Paris) fires once, at the end of the gap
//     (03:00 local). Several slots in the gap fire once together.
//   - A slot in the hour repeated when clocks go back (02:30 on the last
//     Sunday of October) fires once, at its first occurrence.
//
// Slots outside those hours (09:00 every day) are unaffected.
func (s Schedule) Next(after time.Time) time.Time {
	if s.IsZero() {
		return time.Time{}
	}
	cursor := wallClock(after.In(s.loc))
	// A few steps at most: a wall slot whose instant is not after `after`
	// is one already passed in a repeated hour.
	for range 8 {
		w := s.wall.Next(cursor)
		if w.IsZero() {
			return time.Time{}
		}
		if t := instant(w, s.loc); t.After(after) {
			return t
		}
		cursor = w
	}
	return time.Time{}
}

// lookbacks are the windows Latest tries, smallest first, so that it
// walks few slots whatever the schedule's frequency.
var lookbacks = []time.Duration{time.Hour, 26 * time.Hour, 8 * 24 * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour, 5 * 366 * 24 * time.Hour}

// Latest returns the last slot in (after, now], if any: after downtime,
// the one missed slot worth posting.
func (s Schedule) Latest(after, now time.Time) (time.Time, bool) {
	if s.IsZero() || !now.After(after) {
		return time.Time{}, false
	}
	for _, back := range lookbacks {
		from := now.Add(-back)
		if !from.After(after) {
			from = after
		}
		var last time.Time
		for t := s.Next(from); !t.IsZero() && !t.After(now); t = s.Next(t) {
			last = t
		}
		if !last.IsZero() {
			return last, true
		}
		if from.Equal(after) {
			break
		}
	}
	return time.Time{}, false
}

// wallClock writes t's wall-clock reading as a UTC time.
func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// instant maps a wall-clock reading (written in UTC) to the instant it
// names in loc: its first occurrence when the reading happens twice, the
// end of the gap when it does not happen at all.
func instant(w time.Time, loc *time.Location) time.Time {
	offsets := make([]int, 0, 3)
	for _, d := range []time.Duration{-26 * time.Hour, 0, 26 * time.Hour} {
		_, off := w.Add(d).In(loc).Zone()
		offsets = append(offsets, off)
	}
	var best time.Time
	for _, off := range offsets {
		c := w.Add(-time.Duration(off) * time.Second)
		if wallClock(c.In(loc)).Equal(w) && (best.IsZero() || c.Before(best)) {
			best = c
		}
	}
	if !best.IsZero() {
		return best.In(loc)
	}
	// In a gap: the smallest offset gives an instant just past it, in
	// the zone that starts where the gap ends.
	small := offsets[0]
	for _, off := range offsets[1:] {
		small = min(small, off)
	}
	start, _ := w.Add(-time.Duration(small) * time.Second).In(loc).ZoneBounds()
	return start.In(loc)
}

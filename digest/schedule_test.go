package digest_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the same zones on every machine

	"github.com/google/go-cmp/cmp"

	"github.com/precisbot/precis/digest"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// slots returns the n slots after from, in the schedule's zone, formatted
// with their offset.
func slots(s digest.Schedule, from time.Time, n int) []string {
	var out []string
	for t := from; len(out) < n; {
		t = s.Next(t)
		if t.IsZero() {
			out = append(out, "none")
			break
		}
		out = append(out, t.In(s.Location()).Format("Mon 2006-01-02 15:04 -07:00"))
	}
	return out
}

func TestScheduleNextAcrossDST(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	march := time.Date(2026, time.March, 27, 12, 0, 0, 0, paris)     // clocks go forward on Sunday 29 March, 02:00 -> 03:00
	october := time.Date(2026, time.October, 23, 12, 0, 0, 0, paris) // clocks go back on Sunday 25 October, 03:00 -> 02:00
	tests := []struct {
		name, spec string
		from       time.Time
		n          int
		want       []string
	}{
		{"daily 09:00 in March", "daily 09:00 tz Europe/Paris", march, 4, []string{
			"Sat 2026-03-28 09:00 +01:00", "Sun 2026-03-29 09:00 +02:00", "Mon 2026-03-30 09:00 +02:00", "Tue 2026-03-31 09:00 +02:00"}},
		{"daily 09:00 in October", "daily 09:00 tz Europe/Paris", october, 4, []string{
			"Sat 2026-10-24 09:00 +02:00", "Sun 2026-10-25 09:00 +01:00", "Mon 2026-10-26 09:00 +01:00", "Tue 2026-10-27 09:00 +01:00"}},
		{"daily 02:30, skipped hour: once, at the end of the gap", "daily 02:30 tz Europe/Paris", march, 3, []string{
			"Sat 2026-03-28 02:30 +01:00", "Sun 2026-03-29 03:00 +02:00", "Mon 2026-03-30 02:30 +02:00"}},
		{"daily 02:30, repeated hour: once, the first time", "daily 02:30 tz Europe/Paris", october, 3, []string{
			"Sat 2026-10-24 02:30 +02:00", "Sun 2026-10-25 02:30 +02:00", "Mon 2026-10-26 02:30 +01:00"}},
		{"weekdays 08:30 over the March weekend", "weekdays 08:30 tz Europe/Paris", march, 3, []string{
			"Mon 2026-03-30 08:30 +02:00", "Tue 2026-03-31 08:30 +02:00", "Wed 2026-04-01 08:30 +02:00"}},
		{"weekly sun 09:00 in March", "weekly sun 09:00 tz Europe/Paris", time.Date(2026, 3, 15, 12, 0, 0, 0, paris), 3, []string{
			"Sun 2026-03-22 09:00 +01:00", "Sun 2026-03-29 09:00 +02:00", "Sun 2026-04-05 09:00 +02:00"}},
		{"weekly sun 02:30 in October", "weekly sunday 2:30 tz Europe/Paris", time.Date(2026, 10, 15, 12, 0, 0, 0, paris), 3, []string{
			"Sun 2026-10-18 02:30 +02:00", "Sun 2026-10-25 02:30 +02:00", "Sun 2026-11-01 02:30 +01:00"}},
		{"weekly sun 02:30 in March", "weekly sun 02:30 tz Europe/Paris", time.Date(2026, 3, 15, 12, 0, 0, 0, paris), 3, []string{
			"Sun 2026-03-22 02:30 +01:00", "Sun 2026-03-29 03:00 +02:00", "Sun 2026-04-05 02:30 +02:00"}},
		{"cron every two hours, October", "0 */2 * * * tz Europe/Paris", time.Date(2026, 10, 24, 23, 30, 0, 0, paris), 4, []string{
			"Sun 2026-10-25 00:00 +02:00", "Sun 2026-10-25 02:00 +02:00", "Sun 2026-10-25 04:00 +01:00", "Sun 2026-10-25 06:00 +01:00"}},
		{"cron every two hours, March", "cron 0 */2 * * * tz Europe/Paris", time.Date(2026, 3, 28, 23, 30, 0, 0, paris), 4, []string{
			"Sun 2026-03-29 00:00 +01:00", "Sun 2026-03-29 03:00 +02:00", "Sun 2026-03-29 04:00 +02:00", "Sun 2026-03-29 06:00 +02:00"}},
		{"cron 30 2 on weekdays and Sundays, both changes", "30 2 * * 0-5 tz Europe/Paris", time.Date(2026, 3, 28, 12, 0, 0, 0, paris), 2, []string{
			"Sun 2026-03-29 03:00 +02:00", "Mon 2026-03-30 02:30 +02:00"}},
		{"cron at 09:00 on the 25th", "0 9 25 * * tz Europe/Paris", time.Date(2026, 9, 1, 0, 0, 0, 0, paris), 2, []string{
			"Fri 2026-09-25 09:00 +02:00", "Sun 2026-10-25 09:00 +01:00"}},
		{"UTC by default", "daily 09:00", time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC), 2, []string{
			"Sun 2026-03-29 09:00 +00:00", "Mon 2026-03-30 09:00 +00:00"}},
		{"New York spring forward", "daily 02:30 tz America/New_York", time.Date(2026, 3, 7, 12, 0, 0, 0, time.UTC), 3, []string{
			"Sun 2026-03-08 03:00 -04:00", "Mon 2026-03-09 02:30 -04:00", "Tue 2026-03-10 02:30 -04:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := digest.ParseSchedule(tt.spec, "")
			if err != nil {
				t.Fatalf("ParseSchedule(%q): %v", tt.spec, err)
			}
			if diff := cmp.Diff(tt.want, slots(s, tt.from, tt.n)); diff != "" {
				t.Errorf("slots (-want +got):\n%s", diff)
			}
		})
	}
}

// TestScheduleOncePerDayAcrossDST walks every minute of both change days
// and counts, for a daily schedule at each quarter hour, the slots that
// fall on each local date: exactly one, whatever the hour.
func TestScheduleOncePerDayAcrossDST(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	for _, day := range []time.Time{time.Date(2026, 3, 29, 0, 0, 0, 0, paris), time.Date(2026, 10, 25, 0, 0, 0, 0, paris)} {
		for h := range 24 {
			for _, m := range []int{0, 15, 30, 45} {
				spec := "daily " + time.Date(0, 1, 1, h, m, 0, 0, time.UTC).Format("15:04") + " tz Europe/Paris"
				s, err := digest.ParseSchedule(spec, "")
				if err != nil {
					t.Fatal(err)
				}
				count := 0
				for t0 := day.Add(-time.Minute); ; {
					t0 = s.Next(t0)
					local := t0.In(paris)
					if local.Day() != day.Day() {
						break
					}
					count++
				}
				if count != 1 {
					t.Errorf("%s on %s: %d slots, want 1", spec, day.Format("2 Jan"), count)
				}
			}
		}
	}
}

func TestScheduleLatest(t *testing.T) {
	paris := mustZone(t, "Europe/Paris")
	daily, _ := digest.ParseSchedule("daily 09:00 tz Europe/Paris", "")
	hourly, _ := digest.ParseSchedule("0 * * * * tz Europe/Paris", "")
	weekly, _ := digest.ParseSchedule("weekly mon 09:00 tz Europe/Paris", "")
	at := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, paris) }
	tests := []struct {
		name       string
		s          digest.Schedule
		after, now time.Time
		want       time.Time // zero: none
	}{
		{"daily: the slot just passed", daily, at(3, 27, 9, 0), at(3, 28, 9, 0), at(3, 28, 9, 0)},
		{"daily: not yet", daily, at(3, 28, 9, 0), at(3, 29, 8, 59), time.Time{}},
		{"daily: three days down, only the last", daily, at(3, 26, 9, 0), at(3, 29, 15, 0), at(3, 29, 9, 0)},
		{"hourly: six hours down, only the last", hourly, at(10, 25, 1, 0), at(10, 25, 6, 30), at(10, 25, 6, 0)},
		{"weekly: three weeks down", weekly, at(3, 2, 9, 0), at(3, 26, 12, 0), at(3, 23, 9, 0)},
		{"now before after", daily, at(3, 28, 9, 0), at(3, 27, 9, 0), time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.s.Latest(tt.after, tt.now)
			if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
				t.Errorf("Latest = %v, %v; want %v", got, ok, tt.want)
			}
		})
	}
}

func TestParseScheduleRoundTrip(t *testing.T) {
	tests := []struct{ in, zone, want, describe string }{
		{"daily 09:00", "", "daily 09:00 tz UTC", "every day at 09:00 (UTC)"},
		{"daily 9h", "Europe/Paris", "daily 09:00 tz Europe/Paris", "every day at 09:00 (Europe/Paris)"},
		{"Weekdays 8:30 tz America/New_York", "Europe/Paris", "weekdays 08:30 tz America/New_York", "on weekdays at 08:30 (America/New_York)"},
		{"weekly Monday 09:00 tz=Asia/Tokyo", "", "weekly mon 09:00 tz Asia/Tokyo", "every Monday at 09:00 (Asia/Tokyo)"},
		{"`0 9 * * 1-5` tz Europe/Paris", "", "cron 0 9 * * 1-5 tz Europe/Paris", "on the cron schedule `0 9 * * 1-5` (Europe/Paris)"},
		{"cron 0 9,17 * * *", "", "cron 0 9,17 * * * tz UTC", "on the cron schedule `0 9,17 * * *` (UTC)"},
		{"@daily", "", "cron @daily tz UTC", "on the cron schedule `@daily` (UTC)"},
	}
	for _, tt := range tests {
		s, err := digest.ParseSchedule(tt.in, tt.zone)
		if err != nil {
			t.Errorf("ParseSchedule(%q): %v", tt.in, err)
			continue
		}
		if s.String() != tt.want || s.Describe() != tt.describe {
			t.Errorf("ParseSchedule(%q) = %q / %q, want %q / %q", tt.in, s.String(), s.Describe(), tt.want, tt.describe)
		}
		again, err := digest.ParseSchedule(s.String(), "")
		if err != nil || again.String() != s.String() {
			t.Errorf("round trip of %q: %q, %v", s.String(), again.String(), err)
		}
	}
}

func TestParseScheduleErrors(t *testing.T) {
	tests := []struct {
		in   string
		want []string // substrings of the message: what is wrong, and an example
	}{
		{"", []string{"Say when", "daily 09:00"}},
		{"daily", []string{"daily 09:00"}},
		{"daily 25:00", []string{"`25:00` is not a time of day", "daily 09:00"}},
		{"daily 9:75", []string{"`9:75`", "HH:MM"}},
		{"weekly mun 09:00", []string{"`mun` is not a day of the week", "weekly mon 09:00"}},
		{"weekly 09:00", []string{"weekly mon 09:00"}},
		{"daily 09:00 tz Europe/Pariss", []string{"`Europe/Pariss` is not a time zone", "tz Europe/Paris"}},
		{"daily 09:00 tz Local", []string{"`Local` is not a time zone"}},
		{"daily 09:00 tz", []string{"one time zone", "tz Europe/Paris"}},
		{"0 25 * * *", []string{"`0 25 * * *` is not a cron expression", "0 9 * * 1-5"}},
		{"cron 0 9 * *", []string{"I don't understand", "0 9 * * 1-5"}},
		{"*/5 * * * *", []string{"every 5m0s", "at most hourly", "0 9,17 * * *"}},
		{"0 0 30 2 *", []string{"never matches a date", "0 9 * * 1"}},
		{"@every 1h", []string{"`@every`", "daily 09:00"}},
		{"TZ=Europe/Paris 0 9 * * *", []string{"time zone at the end", "tz Europe/Paris"}},
		{"CRON_TZ=Europe/Paris 0 9 * * *", []string{"after the expression"}},
		{"fortnightly 09:00", []string{"I don't understand", "daily 09:00"}},
		{strings.Repeat("daily ", 50), []string{"too long"}},
	}
	for _, tt := range tests {
		_, err := digest.ParseSchedule(tt.in, "")
		if !errors.Is(err, digest.ErrBadSchedule) {
			t.Errorf("ParseSchedule(%q) = %v, want ErrBadSchedule", tt.in, err)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ParseSchedule(%q) = %q, want it to mention %q", tt.in, err, w)
			}
		}
	}
}

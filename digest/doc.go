// Package digest makes the scheduled digests of a channel: the links its
// members shared and the new items of the feeds it follows, picked,
// summarised in one line each and grouped by source, once per slot of the
// channel's schedule.
//
// # Schedules
//
// A Schedule is a set of wall-clock slots in an IANA time zone ("daily
// 09:00 tz Europe/Paris", a cron expression). robfig/cron parses the
// expressions, but its Next walks real time, so on the day clocks go back
// it fires a 02:30 job twice, and on the day they go forward it skips it.
// Next therefore evaluates the expression on wall-clock readings written
// in UTC (where every minute exists once) and maps each reading to an
// instant itself: the first occurrence of a repeated reading, the end of
// the gap for a skipped one. That mapping is the one piece written here.
package digest

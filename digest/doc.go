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
//
// # One digest per slot
//
// A periodic River job runs Tick every minute (on the elected leader).
// For each schedule whose next slot is due it takes the latest due slot
// only (Schedule.Latest: after downtime, one digest, not one per missed
// slot), queues a job unique by (channel, slot) and then claims the slot
// in the store with a compare-and-set on next_slot. Two processes ticking
// at once queue one job; a tick that fails between queueing and claiming
// queues the same job again. The job (RunDigest) stores the digest under
// its run key with the items it posts, then posts it: a retry posts the
// stored digest again rather than a new one, and the items recorded as
// posted are never picked again, by a scheduled digest or a "digest now".
//
// # Feeds
//
// One feed row per address, however many channels follow it, polled
// once per interval by whichever process claims it (compare-and-set on
// next_poll), with the fetcher's conditional GET: a 304 costs no parse.
// Failures double the wait up to a day; a success restores the interval.
// Items are identified by GUID, else link; a subscription remembers the
// last item stored when it was made, so that what the feed held then is
// never posted (no backlog). gofeed reads RSS, Atom and JSON Feed; the
// <link rel="alternate"> discovery is a few lines of x/net/html.
package digest

// Package fetch is Précis's hardened fetcher for untrusted URLs: it
// implements summarize.Fetcher and turns a link posted in a chat into a
// UTF-8 page, or into an error wrapping one of the summarize sentinels.
//
// What it refuses, and where:
//
//   - Before any network traffic (ErrBadURL): schemes other than http and
//     https, credentials in the URL, malformed URLs, and hosts that browsers
//     read as IPv4 although they are not dotted quads (2130706433,
//     0x7f000001, 0x7f.0.0.1, 0177.0.0.1, 127.1). Redirect targets get the
//     same check.
//   - At dial time, in net.Dialer.Control (ErrBlocked): the address DNS
//     actually returned, so every redirect hop and DNS rebinding meet the
//     check, and a refused address is never sent a packet (Control runs
//     between socket(2) and connect(2)). The policy is code.dny.dev/ssrf's:
//     the IANA special-purpose IPv4 ranges (loopback, RFC 1918, link-local,
//     CGNAT, multicast, broadcast, documentation and benchmark ranges, …)
//     and all IPv6 outside global unicast (::1, ::, fc00::/7, fe80::/10,
//     IPv4-mapped, …) are denied, and so are ports other than 80 and 443
//     (ErrPortNotAllowed when the address itself is public, so that the
//     user is told what is actually wrong).
//   - After the response: too many redirects or a loop
//     (ErrTooManyRedirects), 4xx/5xx (ErrUpstream), timeouts and network
//     failures (ErrUnreachable), a Content-Length or a decompressed body
//     over the cap (ErrTooLarge), media types other than HTML, XHTML and
//     plain text (ErrUnsupportedType).
//
// Ports: public hosts are limited to 80 and 443, the library's default. A
// bot that fetches any link it is shown can otherwise be aimed at other
// people's SMTP, Redis or admin ports, or used to map them; articles on
// other ports are rare. AllowPrivate, meant for intranets where :8080 is
// common, lifts the port rule with the address rule.
//
// Hand-written, because no library in use does it:
//
//   - The numeric-host check. net/url and net/netip do not implement the
//     WHATWG IPv4 parser, and Go then resolves "127.1" as a name, which a
//     system resolver may read as 127.0.0.1 again; only refusal is needed,
//     so a few lines following the standard's "ends in a number" rule do.
//   - Additions to the ssrf policy: IPv4-mapped addresses are judged as the
//     IPv4 address they reach; NAT64 (64:ff9b::/96) addresses are judged by
//     their embedded IPv4 address instead of being refused wholesale; cloud
//     metadata endpoints stay refused under AllowPrivate, and Azure's
//     168.63.129.16, a public address, is refused always.
//   - One charset rule. Decoding uses golang.org/x/net/html/charset (byte
//     order mark, then the Content-Type charset, then <meta>, then a
//     guess), except that a body which is valid UTF-8 and declares nothing
//     is kept as it is: charset.DetermineEncoding judges only the first
//     1024 bytes, and reads a page with a plain-ASCII head as windows-1252.
//
// The size cap is an io.LimitReader one byte past MaxBytes over the
// transport's lazily inflated body, so a gzip bomb costs at most MaxBytes.
package fetch

package main

import (
	"fmt"
	"strings"
)

// versionCommand prints the module version, the VCS revision the binary
// was built from (when the build recorded one) and the Go toolchain.
func versionCommand(e *env, args []string) error {
	return withHelp(e, args, "precis version", "Prints the version of Précis, the revision it was built from and the Go version.", func() error {
		if len(args) != 0 {
			return fmt.Errorf("%w: version takes no arguments", errUsage)
		}
		info, ok := e.buildInfo()
		if !ok {
			_, err := fmt.Fprintln(e.stdout, "precis (no build information)")
			return err
		}
		settings := make(map[string]string)
		for _, s := range info.Settings {
			settings[s.Key] = s.Value
		}
		version := info.Main.Version
		if version == "" {
			version = "(devel)"
		}
		var b strings.Builder
		fmt.Fprintf(&b, "precis %s\n", version)
		if rev := settings["vcs.revision"]; rev != "" {
			var notes []string
			if t := settings["vcs.time"]; t != "" {
				notes = append(notes, t)
			}
			if settings["vcs.modified"] == "true" {
				notes = append(notes, "modified")
			}
			fmt.Fprintf(&b, "revision %s", rev)
			if len(notes) > 0 {
				fmt.Fprintf(&b, " (%s)", strings.Join(notes, ", "))
			}
			b.WriteByte('\n')
		}
		b.WriteString(info.GoVersion)
		if goos, goarch := settings["GOOS"], settings["GOARCH"]; goos != "" && goarch != "" {
			fmt.Fprintf(&b, " %s/%s", goos, goarch)
		}
		b.WriteByte('\n')
		_, err := fmt.Fprint(e.stdout, b.String())
		return err
	})
}

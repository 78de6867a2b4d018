package deploy

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// dockerfile is the top-level Dockerfile, parsed by Docker's own parser
// into its stages.
type dockerfile struct {
	build, final instructions.Stage
}

func parseDockerfile(t *testing.T) dockerfile {
	t.Helper()
	res, err := parser.Parse(bytes.NewReader(readFile(t, repoRoot, "Dockerfile")))
	if err != nil {
		t.Fatalf("parse Dockerfile: %v", err)
	}
	for _, w := range res.Warnings {
		t.Errorf("Dockerfile warning: %s", w.Short)
	}
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil {
		t.Fatalf("Dockerfile instructions: %v", err)
	}
	if len(stages) != 2 {
		t.Fatalf("Dockerfile has %d stages, want 2 (build, final)", len(stages))
	}
	return dockerfile{build: stages[0], final: stages[1]}
}

// commands returns a stage's instructions of type T.
func commands[T any](s instructions.Stage) []T {
	var out []T
	for _, c := range s.Commands {
		if v, ok := c.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// imageEnv is the environment the final image sets.
func (d dockerfile) imageEnv() map[string]string {
	env := map[string]string{}
	for _, c := range commands[*instructions.EnvCommand](d.final) {
		for _, kv := range c.Env {
			env[kv.Key] = kv.Value
		}
	}
	return env
}

func TestDockerfileStages(t *testing.T) {
	d := parseDockerfile(t)
	if !strings.HasPrefix(d.build.BaseName, "golang:1.26") || d.build.Name != "build" {
		t.Errorf("build stage = %q AS %q, want golang:1.26 AS build", d.build.BaseName, d.build.Name)
	}
	if d.final.BaseName != "gcr.io/distroless/static-debian13:nonroot" {
		t.Errorf("final stage from %q, want distroless static (CA certificates, tzdata) nonroot", d.final.BaseName)
	}
	// The final stage holds only what the build stage made.
	for _, c := range commands[*instructions.CopyCommand](d.final) {
		if c.From != d.build.Name {
			t.Errorf("final stage copies %v from %q, want from the build stage", c.SourcePaths, c.From)
		}
	}
	if n := len(commands[*instructions.RunCommand](d.final)); n != 0 {
		t.Errorf("final stage has %d RUN instructions; distroless has no shell", n)
	}

	users := commands[*instructions.UserCommand](d.final)
	if len(users) != 1 || users[0].User != "65532:65532" {
		t.Errorf("USER = %v, want one numeric non-root 65532:65532 (runAsNonRoot needs a number)", users)
	}

	entry := commands[*instructions.EntrypointCommand](d.final)
	cmd := commands[*instructions.CmdCommand](d.final)
	if len(entry) != 1 || len(cmd) != 1 || entry[0].PrependShell || cmd[0].PrependShell {
		t.Fatalf("want one exec-form ENTRYPOINT and CMD, got %d and %d", len(entry), len(cmd))
	}
	if got := append(slices.Clone(entry[0].CmdLine), cmd[0].CmdLine...); !slices.Equal(got, []string{"/usr/local/bin/precis", "serve"}) {
		t.Errorf("the image runs %q, want precis serve", got)
	}
	var copied []string
	for _, c := range commands[*instructions.CopyCommand](d.final) {
		copied = append(copied, c.DestPath)
	}
	if !slices.Contains(copied, entry[0].CmdLine[0]) {
		t.Errorf("ENTRYPOINT %s is not a file the final stage copies (%v)", entry[0].CmdLine[0], copied)
	}

	env := d.imageEnv()
	var names []string
	for k := range env {
		names = append(names, k)
	}
	checkNames(t, "Dockerfile ENV", names)
	if env["PRECIS_HTTP_ADDR"] != "0.0.0.0:8080" {
		t.Errorf("PRECIS_HTTP_ADDR = %q, want 0.0.0.0:8080", env["PRECIS_HTTP_ADDR"])
	}
	port := portOf(t, env["PRECIS_HTTP_ADDR"])
	exposes := commands[*instructions.ExposeCommand](d.final)
	if len(exposes) != 1 || !slices.Equal(exposes[0].Ports, []string{strings.TrimPrefix(env["PRECIS_HTTP_ADDR"], "0.0.0.0:")}) {
		t.Errorf("EXPOSE %v, want the port of PRECIS_HTTP_ADDR (%d)", exposes, port)
	}

	// The SQLite file (precis.db in the working directory) is on the
	// volume. No database setting in the image: it would conflict with a
	// PRECIS_DATABASE_URL_FILE given at run time.
	vols := commands[*instructions.VolumeCommand](d.final)
	if len(vols) != 1 || len(vols[0].Volumes) != 1 {
		t.Fatalf("VOLUME = %v, want one", vols)
	}
	if wd := commands[*instructions.WorkdirCommand](d.final); len(wd) != 1 || wd[0].Path != vols[0].Volumes[0] {
		t.Errorf("WORKDIR %v is not the volume %s, where precis.db is made", wd, vols[0].Volumes[0])
	}
	for k := range env {
		if strings.HasPrefix(k, "PRECIS_DATABASE_URL") {
			t.Errorf("the image sets %s", k)
		}
	}
	var owned bool
	for _, c := range commands[*instructions.CopyCommand](d.final) {
		if c.DestPath == vols[0].Volumes[0] && c.Chown == "65532:65532" {
			owned = true
		}
	}
	if !owned {
		t.Errorf("the volume %s is not created owned by the runtime user", vols[0].Volumes[0])
	}
}

// buildCommand is the build stage's `go build` invocation, expanded as
// the builder's shell would, with the stage's ARG defaults and the target
// platform set to this machine's.
func buildCommand(t *testing.T, d dockerfile) (env, args []string) {
	t.Helper()
	vars := []string{"TARGETOS=" + runtime.GOOS, "TARGETARCH=" + runtime.GOARCH}
	var line string
	for _, c := range d.build.Commands {
		switch c := c.(type) {
		case *instructions.ArgCommand:
			for _, a := range c.Args {
				if a.Value != nil && !slices.ContainsFunc(vars, func(v string) bool { return strings.HasPrefix(v, a.Key+"=") }) {
					vars = append(vars, a.Key+"="+*a.Value)
				}
			}
		case *instructions.RunCommand:
			if len(c.CmdLine) == 1 && strings.Contains(c.CmdLine[0], "go build") {
				line = c.CmdLine[0]
			}
		}
	}
	if line == "" {
		t.Fatal("no RUN … go build in the build stage")
	}
	words, err := shell.NewLex('\\').ProcessWords(line, shell.EnvsFromSlice(vars))
	if err != nil {
		t.Fatalf("expand %q: %v", line, err)
	}
	for len(words) > 0 && strings.Contains(words[0], "=") {
		env = append(env, words[0])
		words = words[1:]
	}
	if len(words) < 2 || words[0] != "go" || words[1] != "build" {
		t.Fatalf("build command %q does not run go build", line)
	}
	return env, words[2:]
}

func TestDockerfileBuildFlags(t *testing.T) {
	env, args := buildCommand(t, parseDockerfile(t))
	for _, want := range []string{"CGO_ENABLED=0", "GOOS=" + runtime.GOOS, "GOARCH=" + runtime.GOARCH} {
		if !slices.Contains(env, want) {
			t.Errorf("build environment %q lacks %s", env, want)
		}
	}
	for _, want := range [][]string{{"-trimpath"}, {"-ldflags", "-s -w"}, {"-o", "/out/precis"}} {
		i := slices.Index(args, want[0])
		if i < 0 || (len(want) == 2 && (i+1 >= len(args) || args[i+1] != want[1])) {
			t.Errorf("go build %q lacks %q", args, want)
		}
	}
	if args[len(args)-1] != "./cmd/precis" {
		t.Errorf("go build builds %q, want ./cmd/precis", args[len(args)-1])
	}
}

// buildImageBinary builds precis exactly as the Dockerfile's build stage
// does (its environment and flags; only the output path differs) and
// returns the binary's path.
func buildImageBinary(t *testing.T) string {
	t.Helper()
	env, args := buildCommand(t, parseDockerfile(t))
	out := filepath.Join(t.TempDir(), "precis")
	i := slices.Index(args, "-o")
	args = slices.Clone(args)
	args[i+1] = out
	cmd := exec.Command("go", append([]string{"build"}, args...)...)
	cmd.Dir = repoRoot // the build stage's WORKDIR holds the repository (COPY . .)
	cmd.Env = append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %q: %v\n%s", args, err, b)
	}
	return out
}

func TestImageBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildImageBinary(t)

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("binary has a %v program header: not static", p.Type)
		}
	}
	if s := f.Section(".dynamic"); s != nil {
		t.Error("binary has a .dynamic section: not static")
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) != 0 {
		t.Errorf("binary imports %v (%v)", libs, err)
	}
	if s := f.Section(".symtab"); s != nil {
		t.Error("binary keeps its symbol table: -s did not apply")
	}

	// `precis config check` in the image's environment, as `docker run
	// IMAGE config check` would run it, with a token as the image asks.
	env := []string{"PATH=/nonexistent", "HOME=" + t.TempDir()}
	for k, v := range parseDockerfile(t).imageEnv() {
		env = append(env, k+"="+v)
	}
	run := func(extra ...string) (string, error) {
		cmd := exec.Command(bin, "config", "check")
		cmd.Env = append(slices.Clone(env), extra...)
		cmd.Dir = t.TempDir()
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	// As built, the image listens beyond loopback: without a credential,
	// the check (like serve) refuses and says what to set.
	out, err := run()
	if err == nil || !strings.Contains(out, "is reachable from other machines") || !strings.Contains(out, "PRECIS_API_TOKENS") {
		t.Errorf("config check without a credential: %v\n%s", err, out)
	}
	out, err = run("PRECIS_API_TOKENS=ci:0123456789abcdef0123456789abcdef")
	if err != nil || !strings.Contains(out, "configuration OK") || !strings.Contains(out, "0.0.0.0:8080") {
		t.Errorf("config check in the image's environment: %v\n%s", err, out)
	}
	if strings.Contains(out, "0123456789abcdef") {
		t.Errorf("config check printed the token:\n%s", out)
	}
}

package deploy

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/precisbot/precis/config"
)

// loadCompose loads compose.yaml as `docker compose` would, with the given
// profiles and environment (nothing from this process's environment).
func loadCompose(t *testing.T, profiles []string, env ...string) *types.Project {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{"compose.yaml"},
		cli.WithName("precis"),
		cli.WithWorkingDirectory("."),
		cli.WithEnv(env),
		cli.WithProfiles(profiles),
	)
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("load compose.yaml: %v", err)
	}
	return p
}

func TestCompose(t *testing.T) {
	p := loadCompose(t, nil)
	if diff := slices.Compare(p.ServiceNames(), []string{"postgres", "precis"}); diff != 0 {
		t.Errorf("services = %v, want postgres and precis (ollama only in its profile)", p.ServiceNames())
	}
	precis, err := p.GetService("precis")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := p.GetService("postgres")
	if err != nil {
		t.Fatal(err)
	}

	// The image is built from the repository's Dockerfile.
	if precis.Build == nil || filepath.Clean(precis.Build.Context) != mustAbs(t, repoRoot) || precis.Build.Dockerfile != "Dockerfile" {
		t.Errorf("build = %+v, want the repository root and its Dockerfile", precis.Build)
	}

	env := map[string]string{}
	var names []string
	for k, v := range precis.Environment {
		names = append(names, k)
		if v != nil {
			env[k] = *v
		}
	}
	checkNames(t, "compose.yaml (precis)", names)

	// The published port is the one precis listens on, on the host's
	// loopback only.
	port := portOf(t, env["PRECIS_HTTP_ADDR"])
	if len(precis.Ports) != 1 || precis.Ports[0].Target != uint32(port) || precis.Ports[0].HostIP != "127.0.0.1" {
		t.Errorf("ports = %+v, want 127.0.0.1:…:%d", precis.Ports, port)
	}

	// Secrets come from files: every *_FILE names a secret the service
	// mounts, and that the project defines from a file.
	mounted := map[string]bool{}
	for _, s := range precis.Secrets {
		mounted["/run/secrets/"+s.Source] = true
		def, ok := p.Secrets[s.Source]
		if !ok || def.File == "" {
			t.Errorf("secret %s is not defined from a file", s.Source)
		}
	}
	for k, v := range env {
		if strings.HasSuffix(k, "_FILE") && !mounted[v] {
			t.Errorf("%s=%s is not a mounted secret", k, v)
		}
	}
	for _, secret := range []string{"PRECIS_DATABASE_URL", "PRECIS_API_TOKENS", "PRECIS_WEBHOOK_SECRET"} {
		if _, plain := env[secret]; plain || env[secret+"_FILE"] == "" {
			t.Errorf("%s is not read from a file", secret)
		}
	}
	if !precis.ReadOnly || !slices.Contains(precis.CapDrop, "ALL") || !slices.Contains(precis.SecurityOpt, "no-new-privileges:true") {
		t.Errorf("precis is not locked down: read_only=%v cap_drop=%v security_opt=%v", precis.ReadOnly, precis.CapDrop, precis.SecurityOpt)
	}

	// PostgreSQL 17, healthy before precis starts, on a volume, its
	// password from a file.
	if pg.Image != "postgres:17" {
		t.Errorf("postgres image = %q", pg.Image)
	}
	if dep, ok := precis.DependsOn["postgres"]; !ok || dep.Condition != types.ServiceConditionHealthy {
		t.Errorf("precis depends_on postgres = %+v, want service_healthy", precis.DependsOn)
	}
	if pg.HealthCheck == nil || len(pg.HealthCheck.Test) == 0 || !strings.Contains(strings.Join(pg.HealthCheck.Test, " "), "pg_isready") {
		t.Errorf("postgres healthcheck = %+v", pg.HealthCheck)
	}
	if len(pg.Volumes) != 1 || pg.Volumes[0].Type != types.VolumeTypeVolume || pg.Volumes[0].Target != "/var/lib/postgresql/data" {
		t.Errorf("postgres volumes = %+v, want a named volume on its data directory", pg.Volumes)
	}
	if _, ok := p.Volumes[pg.Volumes[0].Source]; !ok {
		t.Errorf("volume %q is not declared", pg.Volumes[0].Source)
	}
	if pg.Environment["POSTGRES_PASSWORD_FILE"] == nil || pg.Environment["POSTGRES_PASSWORD"] != nil {
		t.Errorf("postgres password is not read from a file")
	}

	t.Run("secrets agree", func(t *testing.T) { checkGeneratedSecrets(t, p, pg) })
}

// checkGeneratedSecrets runs secrets/generate.sh in a scratch copy and
// checks that the database URL it writes reaches the postgres service with
// the user, database and password that service is given, and that the
// service accepts the API token it writes.
func checkGeneratedSecrets(t *testing.T, p *types.Project, pg types.ServiceConfig) {
	for _, tool := range []string{"sh", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if inCI() {
				t.Fatalf("%s is needed: %v", tool, err)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "generate.sh"), readFile(t, "secrets", "generate.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("sh", filepath.Join(dir, "generate.sh")).CombinedOutput(); err != nil {
		t.Fatalf("generate.sh: %v\n%s", err, out)
	}
	secret := func(name string) string {
		def, ok := p.Secrets[name]
		if !ok {
			t.Fatalf("secret %s is not defined", name)
		}
		return strings.TrimSpace(string(readFile(t, dir, filepath.Base(def.File))))
	}
	u, err := url.Parse(secret("database_url"))
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := u.User.Password()
	if u.Hostname() != pg.Name || u.Port() != "5432" || u.User.Username() != *pg.Environment["POSTGRES_USER"] ||
		strings.TrimPrefix(u.Path, "/") != *pg.Environment["POSTGRES_DB"] || pw != secret("postgres_password") {
		t.Errorf("database_url %s does not match the postgres service", u.Redacted())
	}
	name, token, ok := strings.Cut(secret("api_tokens"), ":")
	if !ok || name == "" || len(token) < 32 {
		t.Errorf("api_tokens is not a name:token pair with a long token")
	}

	// The container's environment (the image's, then the service's, the
	// secrets where Compose mounts them) is a valid configuration.
	precis, err := p.GetService("precis")
	if err != nil {
		t.Fatal(err)
	}
	env := parseDockerfile(t).imageEnv()
	mounts := map[string]string{}
	for _, sec := range precis.Secrets {
		mounts["/run/secrets/"+sec.Source] = filepath.Join(dir, filepath.Base(p.Secrets[sec.Source].File))
	}
	for k, v := range precis.Environment {
		if v == nil {
			continue
		}
		env[k] = *v
		if file, ok := mounts[*v]; ok {
			env[k] = file
		}
	}
	cfg, err := config.Parse(envMap(env))
	if err != nil {
		t.Fatalf("the precis container's configuration: %v", err)
	}
	if u, err := url.Parse(cfg.DatabaseURL); err != nil || u.Hostname() != pg.Name || len(cfg.Access.Tokens) != 1 || cfg.WebhookSecret == "" {
		t.Errorf("the container's configuration lacks its secrets: database %q, %d tokens", u.Redacted(), len(cfg.Access.Tokens))
	}
}

func TestComposeOllama(t *testing.T) {
	p := loadCompose(t, []string{"ollama"}, "PRECIS_OPENAI_BASE_URL=http://ollama:11434/v1", "PRECIS_OPENAI_MODEL=llama3.2")
	for _, name := range []string{"ollama", "ollama-pull"} {
		if _, err := p.GetService(name); err != nil {
			t.Errorf("profile ollama: %v", err)
		}
	}
	precis, err := p.GetService("precis")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(*precis.Environment["PRECIS_OPENAI_BASE_URL"])
	if err != nil || u.Hostname() != "ollama" || u.Port() != "11434" {
		t.Errorf("PRECIS_OPENAI_BASE_URL = %v (%v), want the ollama service", u, err)
	}
	pull, _ := p.GetService("ollama-pull")
	if !slices.Equal(pull.Command, types.ShellCommand{"pull", "llama3.2"}) || *pull.Environment["OLLAMA_HOST"] != "http://ollama:11434" {
		t.Errorf("ollama-pull runs %q against %v", pull.Command, *pull.Environment["OLLAMA_HOST"])
	}
	if dep, ok := pull.DependsOn["ollama"]; !ok || dep.Condition != types.ServiceConditionHealthy {
		t.Errorf("ollama-pull depends_on = %+v", pull.DependsOn)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

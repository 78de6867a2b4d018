package deploy

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/precisbot/precis/config"
)

// The parts of the Kubernetes objects the checks read (k8s.io/api would
// bring the whole API for a few fields).
type (
	object struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string            `json:"name"`
			Namespace string            `json:"namespace"`
			Labels    map[string]string `json:"labels"`
		} `json:"metadata"`
		Data       map[string]string `json:"data"`
		StringData map[string]string `json:"stringData"`
		Spec       spec              `json:"spec"`
	}
	spec struct {
		Replicas     *int            `json:"replicas"`
		ServiceName  string          `json:"serviceName"`
		Selector     json.RawMessage `json:"selector"`
		Template     podTemplate     `json:"template"`
		Ports        []servicePort   `json:"ports"`
		MinAvailable *int            `json:"minAvailable"`
		ClusterIP    string          `json:"clusterIP"`
	}
	podTemplate struct {
		Metadata struct {
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec struct {
			AutomountServiceAccountToken *bool `json:"automountServiceAccountToken"`
			SecurityContext              struct {
				RunAsNonRoot *bool `json:"runAsNonRoot"`
				RunAsUser    *int  `json:"runAsUser"`
			} `json:"securityContext"`
			Containers []container `json:"containers"`
		} `json:"spec"`
	}
	container struct {
		Name  string   `json:"name"`
		Image string   `json:"image"`
		Args  []string `json:"args"`
		Ports []struct {
			Name          string `json:"name"`
			ContainerPort int    `json:"containerPort"`
		} `json:"ports"`
		Env []struct {
			Name      string `json:"name"`
			Value     string `json:"value"`
			ValueFrom *struct {
				FieldRef *struct {
					FieldPath string `json:"fieldPath"`
				} `json:"fieldRef"`
			} `json:"valueFrom"`
		} `json:"env"`
		EnvFrom []struct {
			ConfigMapRef *struct{ Name string } `json:"configMapRef"`
			SecretRef    *struct{ Name string } `json:"secretRef"`
		} `json:"envFrom"`
		StartupProbe   *probe `json:"startupProbe"`
		LivenessProbe  *probe `json:"livenessProbe"`
		ReadinessProbe *probe `json:"readinessProbe"`
		Resources      struct {
			Requests map[string]string `json:"requests"`
			Limits   map[string]string `json:"limits"`
		} `json:"resources"`
		SecurityContext struct {
			AllowPrivilegeEscalation *bool `json:"allowPrivilegeEscalation"`
			ReadOnlyRootFilesystem   *bool `json:"readOnlyRootFilesystem"`
			Capabilities             struct {
				Drop []string `json:"drop"`
			} `json:"capabilities"`
		} `json:"securityContext"`
	}
	probe struct {
		HTTPGet *struct {
			Path string `json:"path"`
			Port any    `json:"port"`
		} `json:"httpGet"`
	}
	servicePort struct {
		Name       string `json:"name"`
		Port       int    `json:"port"`
		TargetPort any    `json:"targetPort"`
	}
)

// render builds a kustomization as `kubectl kustomize` does.
func render(t *testing.T, dir string) map[string]object {
	t.Helper()
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize %s: %v", dir, err)
	}
	out := map[string]object{}
	for _, r := range m.Resources() {
		b, err := r.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var o object
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatalf("%s/%s: %v", r.GetKind(), r.GetName(), err)
		}
		out[o.Kind+"/"+o.Metadata.Name] = o
	}
	return out
}

func get(t *testing.T, objs map[string]object, key string) object {
	t.Helper()
	o, ok := objs[key]
	if !ok {
		t.Fatalf("no %s among %v", key, slices.Sorted(maps.Keys(objs)))
	}
	return o
}

// matchLabels is a selector's matchLabels (or a Service's plain selector).
func matchLabels(t *testing.T, raw json.RawMessage) map[string]string {
	t.Helper()
	var sel struct {
		MatchLabels map[string]string `json:"matchLabels"`
	}
	if err := json.Unmarshal(raw, &sel); err == nil && sel.MatchLabels != nil {
		return sel.MatchLabels
	}
	var plain map[string]string
	if err := json.Unmarshal(raw, &plain); err != nil {
		t.Fatalf("selector %s: %v", raw, err)
	}
	return plain
}

func selects(sel, labels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

func (c container) env(name string) (string, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value, true
		}
	}
	return "", false
}

func (c container) port(name string) int {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}

// secretExample is the Secret of secret.example.yaml, kept out of the base.
func secretExample(t *testing.T) object {
	t.Helper()
	var o object
	if err := yaml.Unmarshal(readFile(t, "k8s", "base", "secret.example.yaml"), &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// checkPod checks what every Précis pod needs: settings from the
// ConfigMap and the Secret with known names, ports matching the
// listeners, probes, resources and a locked-down security context.
func checkPod(t *testing.T, objs map[string]object, o object) container {
	t.Helper()
	where := o.Kind + "/" + o.Metadata.Name
	pod := o.Spec.Template.Spec
	if !selects(matchLabels(t, o.Spec.Selector), o.Spec.Template.Metadata.Labels) {
		t.Errorf("%s: its selector does not select its pods", where)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%s: %d containers", where, len(pod.Containers))
	}
	c := pod.Containers[0]
	if !slices.Equal(c.Args, []string{"serve"}) {
		t.Errorf("%s: args %q, want serve", where, c.Args)
	}

	cm := get(t, objs, "ConfigMap/precis")
	secret := secretExample(t)
	var names []string
	for _, e := range c.Env {
		names = append(names, e.Name)
	}
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil && from.ConfigMapRef.Name == cm.Metadata.Name:
			names = append(names, slices.Collect(maps.Keys(cm.Data))...)
		case from.SecretRef != nil && from.SecretRef.Name == secret.Metadata.Name:
			names = append(names, slices.Collect(maps.Keys(secret.StringData))...)
		default:
			t.Errorf("%s: envFrom %+v names neither the ConfigMap nor the example Secret", where, from)
		}
	}
	checkNames(t, where, names)

	if got, want := c.port("http"), portOf(t, cm.Data["PRECIS_HTTP_ADDR"]); got != want {
		t.Errorf("%s: port http = %d, PRECIS_HTTP_ADDR listens on %d", where, got, want)
	}
	if got, want := c.port("metrics"), portOf(t, cm.Data["PRECIS_METRICS_ADDR"]); got != want {
		t.Errorf("%s: port metrics = %d, PRECIS_METRICS_ADDR listens on %d", where, got, want)
	}
	for _, p := range []struct {
		name, path string
		probe      *probe
	}{{"startup", "/healthz", c.StartupProbe}, {"liveness", "/healthz", c.LivenessProbe}, {"readiness", "/readyz", c.ReadinessProbe}} {
		if p.probe == nil || p.probe.HTTPGet == nil || p.probe.HTTPGet.Path != p.path || p.probe.HTTPGet.Port != "http" {
			t.Errorf("%s: %s probe %+v, want GET %s on port http", where, p.name, p.probe, p.path)
		}
	}
	if c.Resources.Requests["cpu"] == "" || c.Resources.Requests["memory"] == "" || c.Resources.Limits["memory"] == "" {
		t.Errorf("%s: resources %+v, want cpu and memory requests and a memory limit", where, c.Resources)
	}
	sc := c.SecurityContext
	if pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot ||
		sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		!slices.Equal(sc.Capabilities.Drop, []string{"ALL"}) {
		t.Errorf("%s: not locked down: pod %+v, container %+v", where, pod.SecurityContext, sc)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Errorf("%s: mounts a service account token it has no use for", where)
	}
	return c
}

func TestKustomizeBase(t *testing.T) {
	objs := render(t, "k8s/base")
	if got, want := slices.Sorted(maps.Keys(objs)), []string{"ConfigMap/precis", "Deployment/precis", "PodDisruptionBudget/precis", "Service/precis"}; !slices.Equal(got, want) {
		t.Errorf("objects = %v, want %v", got, want)
	}
	d := get(t, objs, "Deployment/precis")
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Errorf("replicas = %v, want 2", d.Spec.Replicas)
	}
	c := checkPod(t, objs, d)
	if v, ok := c.env("PRECIS_DISCORD_GATEWAY"); !ok || v != "false" {
		t.Errorf("the web replicas open the Discord gateway (PRECIS_DISCORD_GATEWAY=%q): one session per shard is the gateway's job", v)
	}
	if c.Image != "precis:latest" {
		t.Errorf("image = %q", c.Image)
	}

	svc := get(t, objs, "Service/precis")
	if !selects(matchLabels(t, svc.Spec.Selector), d.Spec.Template.Metadata.Labels) {
		t.Error("the Service does not select the Deployment's pods")
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort != "http" {
		t.Errorf("Service ports = %+v, want one to the pods' http port", svc.Spec.Ports)
	}

	pdb := get(t, objs, "PodDisruptionBudget/precis")
	if !selects(matchLabels(t, pdb.Spec.Selector), d.Spec.Template.Metadata.Labels) || pdb.Spec.MinAvailable == nil || *pdb.Spec.MinAvailable < 1 ||
		*pdb.Spec.MinAvailable >= *d.Spec.Replicas {
		t.Errorf("PodDisruptionBudget = %+v, want minAvailable between 1 and replicas-1 over the Deployment's pods", pdb.Spec)
	}
}

func TestKustomizeDiscordGateway(t *testing.T) {
	objs := render(t, "k8s/example")
	for key, o := range objs {
		if o.Metadata.Namespace != "precis" {
			t.Errorf("%s in namespace %q", key, o.Metadata.Namespace)
		}
	}
	ss := get(t, objs, "StatefulSet/precis-discord-gateway")
	c := checkPod(t, objs, ss)
	if c.Image != "registry.example.com/precis:1.0.0" {
		t.Errorf("image = %q, want the overlay's", c.Image)
	}
	if v, _ := c.env("PRECIS_DISCORD_GATEWAY"); v != "true" {
		t.Errorf("PRECIS_DISCORD_GATEWAY = %q on the gateway", v)
	}
	count, _ := c.env("PRECIS_DISCORD_SHARD_COUNT")
	if n, err := strconv.Atoi(count); err != nil || ss.Spec.Replicas == nil || n != *ss.Spec.Replicas {
		t.Errorf("PRECIS_DISCORD_SHARD_COUNT = %q with %v replicas: one pod per shard", count, ss.Spec.Replicas)
	}
	var shardFromOrdinal bool
	for _, e := range c.Env {
		if e.Name == "PRECIS_DISCORD_SHARD_ID" && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil &&
			e.ValueFrom.FieldRef.FieldPath == "metadata.labels['apps.kubernetes.io/pod-index']" {
			shardFromOrdinal = true
		}
	}
	if !shardFromOrdinal {
		t.Error("PRECIS_DISCORD_SHARD_ID is not the pod's ordinal")
	}
	headless := get(t, objs, "Service/"+ss.Spec.ServiceName)
	if headless.Spec.ClusterIP != "None" || !selects(matchLabels(t, headless.Spec.Selector), ss.Spec.Template.Metadata.Labels) {
		t.Errorf("governing Service %s is not headless over the gateway pods", ss.Spec.ServiceName)
	}
	// Interactions go to the web replicas only; the gateway pods are not
	// behind the Service, nor counted in the web replicas' budget.
	for _, key := range []string{"Service/precis", "PodDisruptionBudget/precis"} {
		if selects(matchLabels(t, get(t, objs, key).Spec.Selector), ss.Spec.Template.Metadata.Labels) {
			t.Errorf("%s selects the gateway pods", key)
		}
	}
	if d := get(t, objs, "Deployment/precis"); d.Spec.Replicas == nil || *d.Spec.Replicas != 2 {
		t.Error("the overlay changed the web replicas")
	}
}

func TestSecretExampleIsPlaceholder(t *testing.T) {
	s := secretExample(t)
	for k, v := range s.StringData {
		if !strings.Contains(v, "CHANGE-ME") {
			t.Errorf("%s = %q is not an obvious placeholder", k, v)
		}
	}
	checkNames(t, "secret.example.yaml", slices.Collect(maps.Keys(s.StringData)))

	// Applied as it is, with the base's ConfigMap, the placeholders stop
	// the service rather than let it run with a known token.
	env := parseDockerfile(t).imageEnv()
	maps.Copy(env, get(t, render(t, "k8s/base"), "ConfigMap/precis").Data)
	maps.Copy(env, s.StringData)
	_, err := config.Parse(envMap(env))
	var cfgErr *config.Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("the example Secret is accepted (%v)", err)
	}
	var names []string
	for _, p := range cfgErr.Problems {
		n, _, _ := strings.Cut(p.Error(), ":")
		names = append(names, n)
	}
	// Those two, and nothing else: the rest of the pod's environment is
	// a valid configuration.
	if !slices.Equal(names, []string{"PRECIS_API_TOKENS", "PRECIS_WEBHOOK_SECRET"}) {
		t.Errorf("problems of the example Secret = %v", cfgErr.Problems)
	}
}

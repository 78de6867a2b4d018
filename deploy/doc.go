// Package deploy holds the checks of the deployment recipes: the top-level
// Dockerfile, compose.yaml and the Kubernetes manifests in k8s/. It is a
// module of its own so that the parsers it needs (Docker's Dockerfile
// parser, the Compose loader, kustomize) stay out of the service's go.mod;
// it reaches the service's configuration through a replace directive.
package deploy

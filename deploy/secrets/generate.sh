#!/bin/sh
# Writes the random secrets deploy/compose.yaml reads, once: existing files
# are kept. Run it from anywhere; it writes beside itself.
#
# Compose mounts each file as it is (it cannot change the owner outside
# Swarm), and Précis runs as uid 65532: the files are readable by all, and
# this directory by its owner only, which keeps other users of the host out.
set -eu
cd "$(dirname "$0")"
chmod 700 .
umask 022
[ -s postgres_password ] || openssl rand -hex 24 >postgres_password
[ -s database_url ] ||
  printf 'postgres://precis:%s@postgres:5432/precis?sslmode=disable\n' "$(cat postgres_password)" >database_url
[ -s api_tokens ] || printf 'admin:%s\n' "$(openssl rand -hex 24)" >api_tokens
[ -s webhook_secret ] || openssl rand -hex 32 >webhook_secret
echo "secrets written in $(pwd); the API token is in api_tokens"

#!/usr/bin/env bash
# lifeboat-devcluster as a server: TLS with its own CA (verified by curl, IP SAN 127.0.0.1), bearer
# token (401 Status otherwise; health and version public), discovery and OpenAPI documents, the
# request log, and a restart through SIGTERM that keeps objects, resourceVersions, CA and token.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../lib/devcluster.sh"
source "$here/../lib/assert.sh"

devcluster_start --no-job-runner
ca="$DEVCLUSTER_DIR/ca.crt"
kubectl config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d > "$ca"
token="$(kubectl config view --raw -o jsonpath='{.users[0].user.token}')"
curl_api() { curl -sS --cacert "$ca" "$@"; }

step "TLS verified against the generated CA, HTTP/1.1 only"
expect_eq "$(curl_api -o /dev/null -w '%{http_code} %{http_version}' "$DEVCLUSTER_URL/healthz")" "200 1.1" "healthz over verified TLS"
expect_eq "$(curl_api "$DEVCLUSTER_URL/readyz")" "ok" "readyz"
expect_contains "$(curl_api "$DEVCLUSTER_URL/version")" '"gitVersion"' "version is public"

step "bearer token"
body="$(curl_api -w ' %{http_code}' "$DEVCLUSTER_URL/api/v1/namespaces")"
expect_contains "$body" '"reason":"Unauthorized"' "401 Status body without a token"
expect_contains "$body" ' 401' "401 code without a token"
expect_contains "$(curl_api -w ' %{http_code}' -H 'Authorization: Bearer wrong' "$DEVCLUSTER_URL/healthz")" ' 401' "a wrong token is rejected even on public paths"
expect_contains "$(curl_api -H "Authorization: Bearer $token" "$DEVCLUSTER_URL/api/v1/namespaces/default")" '"name":"default"' "token accepted"

step "discovery and OpenAPI"
auth=(-H "Authorization: Bearer $token")
expect_contains "$(curl_api "${auth[@]}" "$DEVCLUSTER_URL/api")" '"kind":"APIVersions"' "/api"
expect_contains "$(curl_api "${auth[@]}" "$DEVCLUSTER_URL/apis")" '"name":"apps"' "/apis"
expect_contains "$(curl_api "${auth[@]}" "$DEVCLUSTER_URL/apis/batch/v1")" '"name":"jobs"' "/apis/batch/v1"
expect_contains "$(curl_api "${auth[@]}" "$DEVCLUSTER_URL/openapi/v3")" '"apis/apps/v1"' "/openapi/v3 index"
expect_eq "$(curl_api "${auth[@]}" -o /dev/null -w '%{http_code}' -H 'Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf' "$DEVCLUSTER_URL/openapi/v2")" "406" "OpenAPI v2 is JSON only"
expect_eq "$(curl_api "${auth[@]}" -o /dev/null -w '%{http_code}' "$DEVCLUSTER_URL/apis/nope.example.com/v1/things")" "404" "unknown group"
expect_eq "$(curl_api "${auth[@]}" -o /dev/null -w '%{http_code}' -X POST "$DEVCLUSTER_URL/api/v1/namespaces/default/configmaps/x" -d '{}')" "405" "POST on an object path"

step "HTTP/1.1 details: chunked request bodies, Expect: 100-continue, HTTP/1.0"
printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"chunked"},"data":{"a":"b"}}' > "$DEVCLUSTER_DIR/cm.json"
expect_eq "$(curl_api "${auth[@]}" -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @"$DEVCLUSTER_DIR/cm.json" "$DEVCLUSTER_URL/api/v1/namespaces/default/configmaps")" "201" "chunked request body"
expect_eq "$(curl_api "${auth[@]}" -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H 'Expect: 100-continue' -X PUT --data-binary "$(kubectl get configmap chunked -o json)" "$DEVCLUSTER_URL/api/v1/namespaces/default/configmaps/chunked")" "200" "Expect: 100-continue"
expect_contains "$(curl_api "${auth[@]}" --http1.0 "$DEVCLUSTER_URL/api/v1/namespaces/default/configmaps/chunked")" '"name":"chunked"' "HTTP/1.0 request"
expect_eq "$(curl_api "${auth[@]}" -o /dev/null -w '%{http_code}' -H 'Content-Type: text/plain' --data-binary 'x' "$DEVCLUSTER_URL/api/v1/namespaces/default/configmaps")" "415" "unsupported body type"

step "pod logs from <data-dir>/logs"
kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Pod
metadata: {name: logger}
spec:
  containers: [{name: main, image: busybox}, {name: side, image: busybox}]
EOF
mkdir -p "$DEVCLUSTER_DATA_DIR/logs/default/logger"
printf 'one\ntwo\nthree\n' > "$DEVCLUSTER_DATA_DIR/logs/default/logger/main.log"
expect_eq "$(kubectl logs logger -c main --tail=2)" "$(printf 'two\nthree')" "tailLines"
expect_eq "$(kubectl logs logger -c main --limit-bytes=3)" "one" "limitBytes"
ambiguous="$(curl_api "${auth[@]}" -w ' %{http_code}' "$DEVCLUSTER_URL/api/v1/namespaces/default/pods/logger/log")"
expect_contains "$ambiguous" "a container name must be specified for pod logger, choose one of: [main side]" "container choice text"
expect_contains "$ambiguous" " 400" "ambiguous container is a 400"

step "objects survive a restart; resourceVersions continue"
kubectl create configmap keep --from-literal=a=b >/dev/null
rv_before="$(kubectl get configmap keep -o jsonpath='{.metadata.resourceVersion}')"
port_before="$DEVCLUSTER_PORT"
devcluster_restart
expect_eq "$DEVCLUSTER_PORT" "$port_before" "same port after restart"
expect_eq "$(kubectl get configmap keep -o jsonpath='{.data.a}')" "b" "object kept (same kubeconfig, CA and token)"
kubectl create configmap after >/dev/null
rv_after="$(kubectl get configmap after -o jsonpath='{.metadata.resourceVersion}')"
[ "$rv_after" -gt "$rv_before" ] || fail "resourceVersion continues after restart ($rv_after <= $rv_before)"

step "request log"
log="$(cat "$DEVCLUSTER_DATA_DIR/requests.log")"
expect_contains "$log" "POST /api/v1/namespaces/default/configmaps" "creates are logged"
expect_contains "$log" " 401 " "rejected requests are logged with their code"

step "SIGTERM stops the server cleanly"
pid="$DEVCLUSTER_PID"
kill -TERM "$pid"
deadline=$((SECONDS + 10))
while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
kill -0 "$pid" 2>/dev/null && fail "server still running 10 s after SIGTERM"
wait "$pid" && code=0 || code=$?
expect_eq "$code" "0" "exit code after SIGTERM"
DEVCLUSTER_PID=""

echo "PASS: devcluster server"

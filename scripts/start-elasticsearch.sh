#!/usr/bin/env bash
# Start a single Elasticsearch node on 127.0.0.1:9200 from Elastic's runnable test
# distribution, and print the ELASTICSEARCH_URL to use. Safe to run twice.
#
# The recipe (what CI does, and what a developer runs by hand):
#   1. Fetch org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip from
#      Maven Central with `mvn dependency:copy`. The zip is cached in $ES_CACHE, so a second
#      run does not download again. ES_VERSION must share its major with the Python client
#      (elasticsearch 9.x); 9.5.0 is the newest 9.x that resolves on Maven Central.
#   2. Unzip it into $ES_HOME, owned by a dedicated non-root user (Elasticsearch refuses to
#      run as root).
#   3. Run it with the Temurin 25 JDK (ES_JAVA_HOME), one node (discovery.type=single-node),
#      on loopback only, a 512 MB heap, disk watermarks off (CI disks are often nearly full),
#      daemonised with a pid file, security off. The integ-test distribution ships only the
#      x-pack-core and x-pack-security modules: without xpack.security.enabled=false it
#      auto-configures TLS and a keystore on first start and then refuses to boot. It lacks
#      analysis-common; the search app only uses core analyzers (whitespace).
#   4. Wait until cluster health is green (our indexes have 0 replicas, so one node is green).
#
#   eval "export $(bash scripts/start-elasticsearch.sh | tail -1)"
#   Stop it: kill "$(cat /opt/elasticsearch/elasticsearch.pid)"
set -euo pipefail
ES_VERSION=${ES_VERSION:-9.5.0}
ES_CACHE=${ES_CACHE:-$HOME/.cache/techmarket/elasticsearch}
ES_HOME=${ES_HOME:-/opt/elasticsearch/elasticsearch-$ES_VERSION}
ES_USER=${ES_USER:-elasticsearch}
ES_PORT=${ES_PORT:-9200}
JAVA=${ES_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
PIDFILE=$(dirname "$ES_HOME")/elasticsearch.pid
URL="http://127.0.0.1:$ES_PORT"

if curl -fsS "$URL/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; then
  echo "Elasticsearch already running at $URL" >&2
  echo "ELASTICSEARCH_URL=$URL"
  exit 0
fi

ZIP="$ES_CACHE/elasticsearch-$ES_VERSION.zip"
if [ ! -f "$ZIP" ]; then
  command -v mvn >/dev/null || { echo "Maven is not installed: apt-get install maven" >&2; exit 1; }
  mkdir -p "$ES_CACHE"
  mvn -q dependency:copy \
    -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
    -DoutputDirectory="$ES_CACHE" >&2
fi

if ! id "$ES_USER" >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER"
fi
if [ ! -x "$ES_HOME/bin/elasticsearch" ]; then
  mkdir -p "$(dirname "$ES_HOME")"
  unzip -q -o "$ZIP" -d "$(dirname "$ES_HOME")"
fi
mkdir -p "$ES_HOME/data" "$ES_HOME/logs"
chown -R "$ES_USER:$ES_USER" "$(dirname "$ES_HOME")"

su "$ES_USER" -s /bin/bash -c "cd '$ES_HOME' && \
  ES_JAVA_HOME='$JAVA' ES_JAVA_OPTS='-Xms512m -Xmx512m' bin/elasticsearch -d -p '$PIDFILE' \
    -E discovery.type=single-node \
    -E network.host=127.0.0.1 \
    -E http.port=$ES_PORT \
    -E cluster.name=techmarket-dev \
    -E xpack.security.enabled=false \
    -E cluster.routing.allocation.disk.threshold_enabled=false \
    -E action.destructive_requires_name=false" >&2

for _ in $(seq 1 120); do
  if curl -fsS "$URL/_cluster/health?wait_for_status=green&timeout=1s" >/dev/null 2>&1; then
    break
  fi
  sleep 1
done
curl -fsS "$URL/_cluster/health?wait_for_status=green&timeout=5s" >/dev/null \
  || { echo "Elasticsearch did not become healthy; see $ES_HOME/logs" >&2; exit 1; }
echo "ELASTICSEARCH_URL=$URL"

#!/usr/bin/env bash
# Starts the local Redis and PostgreSQL the tests use, when they are installed
# but nothing listens on their ports. It never installs anything (.ci/run does).
set -u
listening() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

if ! listening 6379; then
  if command -v redis-server >/dev/null; then
    echo "services: starting redis-server on 127.0.0.1:6379"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --logfile /tmp/hwfdash-redis.log
  else
    echo "services: redis-server is not installed (apt-get install -y redis-server)" >&2
  fi
fi
if ! listening 5432; then
  if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; then
    echo "services: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  else
    echo "services: PostgreSQL is not installed (apt-get install -y postgresql)" >&2
  fi
fi
for i in $(seq 1 50); do
  listening 6379 && listening 5432 && break
  sleep 0.2
done
# The tests use the database "test" (trust auth on 127.0.0.1).
if listening 5432 && command -v psql >/dev/null; then
  if ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
    (su postgres -c "createdb test" || createdb -h 127.0.0.1 -U postgres test) >/dev/null 2>&1 || true
  fi
fi
exit 0

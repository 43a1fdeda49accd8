#!/usr/bin/env bash
# Make sure a RabbitMQ broker answers on 127.0.0.1:5672; start the local one if it does not.
set -u
port_open() { (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; }
if port_open; then exit 0; fi
if ! command -v rabbitmq-server >/dev/null; then
  echo "RabbitMQ is not running and not installed (apt-get install rabbitmq-server)" >&2
  exit 1
fi
echo "starting RabbitMQ ..." >&2
rabbitmq-server -detached >/dev/null 2>&1 || true
for _ in $(seq 1 60); do
  if port_open && rabbitmqctl -q status >/dev/null 2>&1; then exit 0; fi
  sleep 1
done
echo "RabbitMQ did not come up" >&2
exit 1

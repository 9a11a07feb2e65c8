#!/usr/bin/env bash
# Drives basekv's DynamoDB endpoint with the awscli: create-table, put-item, get-item,
# describe-table, a failed conditional put, delete-table. Usage: awscli.sh <port>
set -euo pipefail
export AWS_ACCESS_KEY_ID=AKIDTEST AWS_SECRET_ACCESS_KEY=fake AWS_DEFAULT_REGION=us-east-1
export AWS_PAGER="" AWS_MAX_ATTEMPTS=1
ddb() { aws dynamodb --endpoint-url "http://127.0.0.1:$1" --output json "${@:2}"; }
port=$1
ddb "$port" create-table --table-name cli-table \
  --attribute-definitions AttributeName=id,AttributeType=S \
  --key-schema AttributeName=id,KeyType=HASH --billing-mode PAY_PER_REQUEST \
  --query 'TableDescription.TableStatus'
ddb "$port" put-item --table-name cli-table \
  --item '{"id":{"S":"k1"},"n":{"N":"1.50"},"b":{"B":"AAEC"},"l":{"L":[{"BOOL":true}]}}'
ddb "$port" get-item --table-name cli-table --key '{"id":{"S":"k1"}}' --query Item
ddb "$port" describe-table --table-name cli-table --query 'Table.ItemCount'
if ddb "$port" put-item --table-name cli-table --item '{"id":{"S":"k1"}}' \
  --condition-expression 'attribute_not_exists(id)' 2>/tmp/basekv-awscli-err.$$; then
  echo "conditional put should have failed" >&2
  exit 1
fi
grep -o 'ConditionalCheckFailedException' /tmp/basekv-awscli-err.$$
rm -f /tmp/basekv-awscli-err.$$
ddb "$port" delete-table --table-name cli-table --query 'TableDescription.TableStatus'

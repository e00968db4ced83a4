#!/usr/bin/env bash
# Upgrading the installed package from the previous release's package.
# scripts/package.sh runs it inside pg_virtualenv (a throwaway cluster; PGHOST,
# PGPORT, PGUSER set) with the old release's package installed:
#
#   bash test/package/upgrade.sh OLD-VERSION NEW-VERSION NEW-PACKAGE.deb...
#
# Two databases get the extension at OLD-VERSION and customers with payment
# methods and users; then the new package replaces the old one under the
# running server. Each database must keep working at OLD-VERSION (the new
# library with the old release's SQL) until ALTER EXTENSION UPDATE, which
# must then update it with its data intact, one database at a time. Prints TAP.
set -u
old=$1 new=$2
shift 2
n=0
failures=0

is() { # is NAME GOT EXPECTED
	n=$((n + 1))
	if [[ $2 == "$3" ]]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		printf '#   got:      %s\n#   expected: %s\n' "$2" "$3"
		failures=$((failures + 1))
	fi
}
# one statement's result as the tenant acme, or the error
q() { # q DB SQL
	psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "SET customers.tenant_id = 'acme'" -c "$2" 2>&1
}
extversion() { q "$1" "SELECT extversion FROM pg_extension WHERE extname = 'customers'"; }
# every customer, payment method and user, as the functions return them
documents() {
	q "$1" "SELECT customers.get('cus_1')::text || customers.get('cus_2')::text
		|| (customers.payment_methods('cus_1') -> 'data')::text
		|| (customers.users('cus_1') -> 'data')::text"
}

is "only release $old is installed" \
	"$(psql -X -At -c "SELECT string_agg(version, ' ') FROM pg_available_extension_versions WHERE name = 'customers'")" "$old"

declare -A before
for db in app1 app2; do
	createdb "$db"
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION customers CASCADE' >/dev/null 2>&1
	is "$db: CREATE EXTENSION at $old" "$(extversion "$db")" "$old"
	q "$db" "SELECT customers.save('{\"data\": [
			{\"id\": \"cus_1\", \"name\": \"Acme\", \"email\": \"billing@acme.com\", \"externalId\": \"e1\"},
			{\"id\": \"cus_2\", \"name\": \"Beta\", \"customData\": {\"plan\": \"gold\"}}]}')" >/dev/null
	q "$db" "SELECT customers.archive('cus_2')" >/dev/null
	q "$db" "SELECT customers.save_payment_method('cus_1', '{\"type\": \"CARD\", \"isDefault\": true,
			\"card\": {\"brand\": \"visa\", \"last4\": \"4242\", \"expMonth\": 12, \"expYear\": 2030}}')" >/dev/null
	q "$db" "SELECT customers.create_user('cus_1', '{\"email\": \"ann@acme.com\", \"firstName\": \"Ann\"}')" >/dev/null
	before[$db]=$(documents "$db")
	# so that comparing documents compares documents, not two equal errors
	is "$db: the documents hold both customers, the card and the user" \
		"$(grep -o '"cus_1"\|"cus_2"\|"4242"\|"ann@acme.com"' <<<"${before[$db]}" | LC_ALL=C sort -u | tr '\n' ' ')" \
		'"4242" "ann@acme.com" "cus_1" "cus_2" '
	is "$db: customers, a payment method and a user saved at $old" \
		"$(q "$db" "SELECT jsonb_array_length(customers.query('{\"filter\": {\"status\": {\"in\": [\"ACTIVE\", \"ARCHIVED\"]}}}') -> 'data')")" 2
done

# the package upgrade, under the running server
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
	--no-install-recommends "$@" >/dev/null 2>&1
is "the package is upgraded to $new" \
	"$(dpkg-query -W -f='${Version}\n' "$(dpkg-deb -f "$1" Package)" | sed 's/-[^-]*$//')" "$new"
is "an update path $old to $new is installed" \
	"$(psql -X -At -c "SELECT path FROM pg_extension_update_paths('customers') WHERE source = '$old' AND target = '$new'")" \
	"$old--$new"

for db in app1 app2; do
	is "$db: still at $old after the package upgrade" "$(extversion "$db")" "$old"
	is "$db: every document reads the same with the new library" "$(documents "$db")" "${before[$db]}"
	is "$db: query works at $old" \
		"$(q "$db" "SELECT jsonb_array_length(customers.query('{\"filter\": {\"status\": {\"in\": [\"ACTIVE\", \"ARCHIVED\"]}}}') -> 'data')")" 2
	is "$db: patch works at $old" \
		"$(q "$db" "SELECT customers.patch('cus_1', '{\"address\": {\"city\": \"Washington\"}}') -> 'address' ->> 'city'")" \
		Washington
	is "$db: save creates at $old" \
		"$(q "$db" "SELECT customers.save('{\"data\": [{\"id\": \"cus_3\", \"name\": \"Gamma\"}]}') ->> 'result'")" SUCCESS
	before[$db]=$(documents "$db")
done

# ALTER EXTENSION UPDATE, one database at a time
psql -X -q -v ON_ERROR_STOP=1 -d app1 -c 'ALTER EXTENSION customers UPDATE' >/dev/null 2>&1
is "app1: ALTER EXTENSION UPDATE to $new" "$(extversion app1)" "$new"
is "app1: every document unchanged by the update" "$(documents app1)" "${before[app1]}"
is "app1: restore works at $new" "$(q app1 "SELECT customers.restore('cus_2') ->> 'status'")" ACTIVE
is "app1: history works at $new" \
	"$(q app1 "SELECT jsonb_array_length(customers.history('cus_1') -> 'data') >= 2")" t
is "app2: still at $old while app1 updated" "$(extversion app2)" "$old"
is "app2: every document reads the same" "$(documents app2)" "${before[app2]}"
psql -X -q -v ON_ERROR_STOP=1 -d app2 -c 'ALTER EXTENSION customers UPDATE' >/dev/null 2>&1
is "app2: ALTER EXTENSION UPDATE to $new" "$(extversion app2)" "$new"
is "app2: every document unchanged by the update" "$(documents app2)" "${before[app2]}"

echo "1..$n"
((failures == 0))

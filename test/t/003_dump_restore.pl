# pg_dump / pg_restore into a new database keeps every row of every
# extension table (customers, labels, segments, what customers hold, and
# whatever tables the extension has), row level security, and the cursor
# key: cursors issued before the dump still work after the restore.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE source');
$node->safe_psql(
	'source', q{
CREATE EXTENSION customers CASCADE;
CREATE ROLE app LOGIN;
GRANT USAGE ON SCHEMA customers TO app;
});

# Two tenants with every kind of row
for my $tenant ('acme', 'globex')
{
	$node->safe_psql(
		'source', qq{
SET customers.tenant_id = '$tenant';
SELECT customers.save_class_labels('{"data": [{"id": "cll_region", "name": "Region", "requiredness": "NOT_REQUIRED"},
	{"id": "cll_tier", "name": "Tier", "requiredness": "NOT_REQUIRED"}]}');
SELECT customers.save_class_segments('{"data": [{"id": "cls_east", "label": "cll_region", "name": "East"},
	{"id": "cls_dc", "label": "cll_region", "name": "Washington DC", "parent": "cls_east"},
	{"id": "cls_gold", "label": "cll_tier", "name": "Gold"}]}');
SELECT customers.save(jsonb_build_object('data', jsonb_agg(jsonb_build_object(
	'id', 'cus_' || n, 'name', '$tenant customer ' || (n % 5), 'externalId', 'ext-' || n,
	'email', 'c' || n || '\@example.com', 'businessName', CASE WHEN n % 3 = 0 THEN 'Biz ' || n END,
	'ccEmails', jsonb_build_array('["cc' || n || '\@acme.com"]'),
	'address', jsonb_build_object('city', 'Washington', 'countryCode', 'US'),
	'customData', jsonb_build_object('n', n, 'plan', CASE WHEN n % 2 = 0 THEN 'gold' END),
	'classSegments', CASE WHEN n % 2 = 0 THEN '["cls_dc", "cls_gold"]'::jsonb ELSE '[]'::jsonb END))))
FROM generate_series(1, 20) AS n;
SELECT customers.archive('cus_7');
SELECT customers.patch('cus_8', '{"status": "INACTIVE", "metadata": {"k": "v"}}');
SELECT customers.save_payment_method('cus_' || n, jsonb_build_object('type', 'CARD', 'isDefault', n = 1,
	'card', jsonb_build_object('brand', 'visa', 'last4', '4242', 'expMonth', n, 'expYear', 2030)))
FROM generate_series(1, 3) AS n;
SELECT customers.create_user('cus_1', jsonb_build_object('email', 'user' || n || '\@$tenant.example.com'))
FROM generate_series(1, 4) AS n;
});
}

# Every extension table's rows as text, ordered
sub tables
{
	my ($db) = @_;
	return split /\n/, $node->safe_psql($db,
		q{SELECT c.relname FROM pg_class c JOIN pg_depend d ON d.objid = c.oid AND d.deptype = 'e'
		  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'customers'
		  WHERE c.relkind = 'r' ORDER BY 1});
}

sub contents
{
	my ($db, $table) = @_;
	return $node->safe_psql($db,
		"SELECT count(*) || E'\\n' || coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM customers.$table t");
}

# Cursors issued before the dump, and the pages they lead to
my $request = q{'{"limit": 3, "sort": {"orderBy": "NAME"}, "filter": {"customData": {"contains": {"plan": "gold"}}}}'};
sub page
{
	my ($db, $cursor) = @_;
	my $req = defined $cursor ? "jsonb_set($request, '{cursor}', to_jsonb('$cursor'::text))" : $request;
	return $node->safe_psql($db, "SET ROLE app; SET customers.tenant_id = 'acme'; SELECT customers.query($req)");
}
my $first = page('source');
my ($after) = $first =~ /"after": "([^"]+)"/;
ok(defined $after, 'the first page has a cursor.after');
my $second = page('source', $after);
my ($before) = $second =~ /"before": "([^"]+)"/;
ok(defined $before, 'the second page has a cursor.before');
my $get = $node->safe_psql('source', "SET customers.tenant_id = 'globex'; SELECT customers.get('cus_8')");
# the other paginated lists: users and history, first pages and their cursors
sub list_page
{
	my ($db, $call) = @_;
	return $node->safe_psql($db, "SET customers.tenant_id = 'acme'; SELECT $call");
}
my $users = list_page('source', q{customers.users('cus_1', '{"limit": 2}')});
my ($users_after) = $users =~ /"after": "([^"]+)"/;
ok(defined $users_after, 'the users list has a cursor.after');
my $users_next = list_page('source', "customers.users('cus_1', jsonb_build_object('limit', 2, 'cursor', '$users_after'))");
my $methods = list_page('source', q{customers.payment_methods('cus_1')});
my $history = list_page('source', q{customers.history('cus_1', '{}')});

my @tables = tables('source');
cmp_ok(scalar(@tables), '>=', 8, 'the extension has tables: ' . join(', ', @tables));
for my $table (grep { $_ ne 'cursor_key' } @tables)
{
	cmp_ok(contents('source', $table), '!~', qr/^0\n/, "customers.$table has rows to dump");
}

my $dump = $node->basedir . '/source.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-d', $node->connstr('source'), '-f', $dump ], 'pg_dump -Fc');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('restored'), $dump ],
	'pg_restore into a new database');

# the plain format through psql, as well
my $plain = $node->basedir . '/source.sql';
$node->command_ok([ 'pg_dump', '-d', $node->connstr('source'), '-f', $plain ], 'pg_dump (plain)');
$node->safe_psql('postgres', 'CREATE DATABASE restored_plain');
$node->command_ok([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('restored_plain'), '-f', $plain ],
	'psql restores the plain dump');

for my $db ('restored', 'restored_plain')
{
	is_deeply([ tables($db) ], \@tables, "$db: the same extension tables");
	for my $table (grep { $_ ne 'cursor_key' } @tables)
	{
		is(contents($db, $table), contents('source', $table), "$db: customers.$table has every row, unchanged");
	}
	# the restore's own CREATE EXTENSION made a new key; the dumped, older one is kept and used
	is( $node->safe_psql($db,
			'SELECT count(*) FROM customers.cursor_key r WHERE (r.key_id, r.key, r.created_at) IN ('
			  . join(',', map { "('$_->[0]'::uuid, '$_->[1]'::bytea, '$_->[2]'::timestamptz)" }
				  map { [ split /\|/ ] }
				  split /\n/, $node->safe_psql('source', 'SELECT key_id, key, created_at FROM customers.cursor_key'))
			  . ')'),
		$node->safe_psql('source', 'SELECT count(*) FROM customers.cursor_key'),
		"$db: the cursor key is restored");

	is(page($db), $first, "$db: the first page is the same");
	is(page($db, $after), $second, "$db: a cursor.after issued before the dump returns the same next page");
	is(page($db, $before), $first, "$db: a cursor.before issued before the dump returns the same previous page");
	is($node->safe_psql($db, "SET customers.tenant_id = 'globex'; SELECT customers.get('cus_8')"),
		$get, "$db: get returns the same document");
	is(list_page($db, "customers.users('cus_1', jsonb_build_object('limit', 2, 'cursor', '$users_after'))"),
		$users_next, "$db: a users cursor issued before the dump returns the same next page");
	is(list_page($db, q{customers.payment_methods('cus_1')}), $methods, "$db: the same payment methods");
	is(list_page($db, q{customers.history('cus_1', '{}')}), $history, "$db: the same history");
	is( $node->safe_psql($db,
			q{SELECT count(*) FROM pg_class WHERE relnamespace = 'customers'::regnamespace AND relkind = 'r'
			  AND relrowsecurity AND relforcerowsecurity}),
		scalar(@tables),
		"$db: row level security is enabled and forced on every table");
	is( $node->safe_psql($db,
			q{SET customers.tenant_id = 'acme'; SELECT customers.save('{"data": [{"id": "cus_new", "name": "After restore"}]}') ->> 'result'}),
		'SUCCESS',
		"$db: saving works after the restore");
}

$node->stop;
done_testing();

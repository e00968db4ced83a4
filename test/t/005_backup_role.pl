# Backups that are whole or fail loudly.
#
# The documented backup role (not a superuser: BYPASSRLS, USAGE on the
# schema, SELECT on the extension's tables) dumps every row of every tenant
# and the cursor key: restored into a new database, every table is equal
# and a cursor issued before the dump still works. A role that row level
# security confines to one tenant cannot make a dump that looks complete:
# pg_dump fails, with or without --enable-row-security; only a dump of
# chosen tables with --enable-row-security succeeds, and it holds exactly the
# rows of the tenant the role's settings name.
use strict;
use warnings;

use FindBin;
use lib $FindBin::RealBin;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use CustomersTest;

my $node = node_with_app('backup', 'source');
$node->safe_psql(
	'source', q{
-- the backup role, as the README documents it
CREATE ROLE customers_backup LOGIN BYPASSRLS;
GRANT USAGE ON SCHEMA customers TO customers_backup;
GRANT SELECT ON ALL TABLES IN SCHEMA customers TO customers_backup;
-- a role confined by row level security, with SELECT on every table
CREATE ROLE reader LOGIN;
GRANT USAGE ON SCHEMA customers TO reader;
GRANT SELECT ON ALL TABLES IN SCHEMA customers TO reader;
});

for my $tenant ('acme', 'globex')
{
	$node->safe_psql(
		'source', qq{
SET customers.tenant_id = '$tenant';
SELECT customers.save_class_labels('{"data": [{"id": "cll_region", "name": "Region", "requiredness": "NOT_REQUIRED"}]}');
SELECT customers.save_class_segments('{"data": [{"id": "cls_east", "label": "cll_region", "name": "East"},
	{"id": "cls_dc", "label": "cll_region", "name": "DC", "parent": "cls_east"}]}');
SELECT customers.save(jsonb_build_object('data', jsonb_agg(jsonb_build_object(
	'id', 'cus_' || n, 'name', '$tenant customer ' || (n % 4), 'externalId', 'ext-' || n,
	'customData', jsonb_build_object('n', n),
	'classSegments', CASE WHEN n % 2 = 0 THEN '["cls_dc"]'::jsonb ELSE '[]'::jsonb END))))
FROM generate_series(1, 12) AS n;
SELECT customers.archive('cus_5');
SELECT customers.save_payment_method('cus_1', '{"type": "CARD", "isDefault": true,
	"card": {"brand": "visa", "last4": "4242", "expMonth": 1, "expYear": 2030}}');
SELECT customers.create_user('cus_1', jsonb_build_object('email', 'u' || n || '\@$tenant.example.com'))
FROM generate_series(1, 3) AS n;
});
}

# The extension's tables, and each one's rows as text
my @tables = extension_tables($node, 'source');
sub contents { return table_contents($node, @_); }

# pages through the API as the application, before and after
my $request = q{'{"limit": 5, "sort": {"orderBy": "NAME"}}'};
sub page
{
	my ($db, $cursor) = @_;
	my $req = defined $cursor ? "jsonb_set($request, '{cursor}', to_jsonb('$cursor'::text))" : $request;
	return $node->safe_psql($db, "SET ROLE app; SET customers.tenant_id = 'globex'; SELECT customers.query($req)");
}
my ($after) = page('source') =~ /"after": "([^"]+)"/;
ok(defined $after, 'a cursor issued before the dump');
my $second = page('source', $after);
my ($users_after) = $node->safe_psql('source',
	q{SET ROLE app; SET customers.tenant_id = 'acme'; SELECT customers.users('cus_1', '{"limit": 2}')})
  =~ /"after": "([^"]+)"/;
my $users_next_sql = "SET ROLE app; SET customers.tenant_id = 'acme';"
  . " SELECT customers.users('cus_1', jsonb_build_object('limit', 2, 'cursor', '$users_after'))";
my $users_next = $node->safe_psql('source', $users_next_sql);

# The backup role: the dump is whole
my $dump = $node->basedir . '/backup.dump';
$node->command_ok(
	[ 'pg_dump', '-Fc', '-U', 'customers_backup', '-d', $node->connstr('source'), '-f', $dump ],
	'pg_dump as the backup role (BYPASSRLS, not a superuser)');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok([ 'pg_restore', '--exit-on-error', '-d', $node->connstr('restored'), $dump ],
	'pg_restore into a new database');
for my $table (grep { $_ ne 'cursor_key' } @tables)
{
	is(contents('restored', $table), contents('source', $table),
		"customers.$table: every row of every tenant");
}
# the restore's CREATE EXTENSION made a key of its own; the dumped, older one is used
my $keys = $node->safe_psql('source', q{SELECT string_agg(format('(%L::uuid, %L::bytea)', key_id, key), ',')
	FROM customers.cursor_key});
is($node->safe_psql('restored', "SELECT count(*) FROM customers.cursor_key WHERE (key_id, key) IN ($keys)"),
	$node->safe_psql('source', 'SELECT count(*) FROM customers.cursor_key'),
	'customers.cursor_key: the dumped key is there');
like(contents('restored', 'customer'), qr/^24\n/, 'both tenants\' 24 customers are there');
is($node->safe_psql('restored', 'SELECT key FROM customers.cursor_key ORDER BY created_at, key_id LIMIT 1'),
	$node->safe_psql('source', 'SELECT key FROM customers.cursor_key ORDER BY created_at, key_id LIMIT 1'),
	'the cursor key in use is the dumped one');
is(page('restored', $after), $second, 'a query cursor issued before the dump returns the same page');
is($node->safe_psql('restored', $users_next_sql), $users_next,
	'a users cursor issued before the dump returns the same page');

# A role confined to one tenant: every whole dump fails loudly
my ($stdout, $stderr);
my $partial = $node->basedir . '/partial.dump';
my $ok = IPC::Run::run [ 'pg_dump', '-Fc', '-U', 'reader', '-d', $node->connstr('source'), '-f', $partial ],
  '>', \$stdout, '2>', \$stderr;
ok(!$ok, 'pg_dump as a confined role fails');
like($stderr, qr/query would be affected by row-level security policy for table "[a-z_]+"/,
	'because row level security would hide rows');

$ok = IPC::Run::run [ 'pg_dump', '-Fc', '--enable-row-security', '-U', 'reader', '-d', $node->connstr('source'),
	'-f', $partial ], '>', \$stdout, '2>', \$stderr;
ok(!$ok, 'pg_dump --enable-row-security as a confined role fails');
like($stderr, qr/ERROR:  permission denied for table cursor_key/,
	'at the cursor key, whose policy refuses confined roles');

$ok = IPC::Run::run [ 'pg_dump', '-Fc', '-U', 'app', '-d', $node->connstr('source'), '-f', $partial ],
  '>', \$stdout, '2>', \$stderr;
ok(!$ok, 'pg_dump as the application role fails');
like($stderr, qr/permission denied for table/, 'it may not read the tables at all');

# Chosen tables with --enable-row-security: the rows of the tenant the
# role's settings name, and nothing else
my $sql = $node->basedir . '/acme.sql';
$node->command_ok(
	[
		'pg_dump', '--data-only', '--enable-row-security', '-t', 'customers.customer', '-U', 'reader',
		'-d', $node->connstr('source') . ' options=-ccustomers.tenant_id=acme', '-f', $sql
	],
	'a dump of chosen tables with --enable-row-security succeeds');
my $text = slurp_file($sql);
my @rows = $text =~ /^(acme|globex|default)\t/mg;
is(scalar(@rows), 12, 'it holds 12 customer rows');
is(join(',', sort { $a cmp $b } keys %{ { map { $_ => 1 } @rows } }), 'acme', 'all of tenant acme, the one named');
unlike($text, qr/cursor_key/, 'and no cursor key');

$node->stop;
done_testing();
